package dev.wiremesh.planner.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The planner is shared by the operator and the kubectl plugin: a plain library without a framework
 * or I/O, and its IPAM and topology cores take JDK values only.
 */
class ArchitectureTest {
  static final JavaClasses CLASSES =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.wiremesh.planner");

  @Test
  void noFrameworkNoClientNoIo() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.quarkus..",
            "jakarta..",
            "javax.enterprise..",
            "javax.inject..",
            "io.fabric8.kubernetes.client..",
            "java.net.http..",
            "java.nio.channels..",
            "java.nio.file..")
        .because("planner/ is the pure planner; fetching stays in its callers")
        .check(CLASSES);
  }

  @Test
  void ipamAndTopologyUseTheJdkOnly() {
    classes()
        .that()
        .resideInAnyPackage("..planner.ipam..", "..planner.topology..")
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage("java..", "..planner.ipam..", "..planner.topology..")
        .because("IPAM and the topology planner are pure functions of JDK values")
        .check(CLASSES);
  }
}
