package dev.wiremesh.wireguard.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The layering of ARCHITECTURE.md: a plain library, and a protocol core without I/O. */
class ArchitectureTest {
  static final JavaClasses CLASSES =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.wiremesh.wireguard");

  @Test
  void noFrameworkInTheWireGuardLibrary() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.quarkus..", "jakarta..", "javax.enterprise..", "javax.inject..", "io.fabric8..")
        .because("wireguard/ is a plain Java library (BouncyCastle and the JDK only)")
        .check(CLASSES);
  }

  @Test
  void theProtocolCoreDoesNoIo() {
    noClasses()
        .that()
        .resideInAnyPackage(
            "..wireguard.crypto..",
            "..wireguard.message..",
            "..wireguard.noise..",
            "..wireguard.session..",
            "..wireguard.cookie..",
            "..wireguard.rotation..",
            "..wireguard.ratelimit..",
            "..wireguard.antireplay..",
            "..wireguard.allowedips..",
            "..wireguard.timers..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "..wireguard.tun..",
            "..wireguard.net..",
            "..wireguard.device..",
            "..wireguard.uapi..",
            "..wireguard.cli..")
        .because("the protocol core takes values and returns values; I/O stays at the edges")
        .check(CLASSES);
  }
}
