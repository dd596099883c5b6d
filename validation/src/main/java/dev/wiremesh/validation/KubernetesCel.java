package dev.wiremesh.validation;

import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelFunctionDecl;
import dev.cel.common.CelOverloadDecl;
import dev.cel.common.types.OpaqueType;
import dev.cel.common.types.SimpleType;
import dev.cel.extensions.CelExtensions;
import dev.cel.runtime.CelFunctionBinding;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * CEL as the Kubernetes API server evaluates x-kubernetes-validations: cel-java with the strings
 * extension, plus the Kubernetes functions our CRDs use, bound with Kubernetes' documented
 * semantics (k8s.io/apiserver/pkg/cel/library ip.go and cidr.go): {@code isIP(string)} and {@code
 * isCIDR(string)} accept IPv4 and IPv6 without zones, without IPv4-mapped IPv6 addresses and
 * without leading zeros in IPv4 octets; a CIDR's prefix length fits its family (host bits may be
 * set, as netip.ParsePrefix allows). {@code cidr(string)} gives a {@code net.CIDR} with {@code
 * containsCIDR(string|net.CIDR)} and {@code prefixLength()} ({@link CelCidr}); a string it does not
 * accept is an evaluation error, which the API server reports as the rule failing.
 */
public final class KubernetesCel {
  private static final Pattern IPV4 =
      Pattern.compile("^(0|[1-9][0-9]{0,2})(\\.(0|[1-9][0-9]{0,2})){3}$");
  private static final Pattern IPV6_CHARS = Pattern.compile("^[0-9A-Fa-f:.]+$");

  private static final OpaqueType CIDR = OpaqueType.create("net.CIDR");

  private static final Cel CEL =
      CelFactory.standardCelBuilder()
          .setStandardMacros(dev.cel.parser.CelStandardMacro.STANDARD_MACROS)
          .addCompilerLibraries(CelExtensions.strings())
          .addRuntimeLibraries(CelExtensions.strings())
          .addVar("self", SimpleType.DYN)
          .addFunctionDeclarations(
              CelFunctionDecl.newFunctionDeclaration(
                  "isIP",
                  CelOverloadDecl.newGlobalOverload(
                      "isIP_string", SimpleType.BOOL, SimpleType.STRING)),
              CelFunctionDecl.newFunctionDeclaration(
                  "isCIDR",
                  CelOverloadDecl.newGlobalOverload(
                      "isCIDR_string", SimpleType.BOOL, SimpleType.STRING)),
              CelFunctionDecl.newFunctionDeclaration(
                  "cidr",
                  CelOverloadDecl.newGlobalOverload("string_to_cidr", CIDR, SimpleType.STRING)),
              CelFunctionDecl.newFunctionDeclaration(
                  "containsCIDR",
                  CelOverloadDecl.newMemberOverload(
                      "cidr_contains_cidr_string", SimpleType.BOOL, CIDR, SimpleType.STRING),
                  CelOverloadDecl.newMemberOverload(
                      "cidr_contains_cidr", SimpleType.BOOL, CIDR, CIDR)),
              CelFunctionDecl.newFunctionDeclaration(
                  "prefixLength",
                  CelOverloadDecl.newMemberOverload("cidr_prefix_length", SimpleType.INT, CIDR)))
          .addFunctionBindings(
              CelFunctionBinding.from("isIP_string", String.class, KubernetesCel::isIp),
              CelFunctionBinding.from("isCIDR_string", String.class, KubernetesCel::isCidr),
              CelFunctionBinding.from("string_to_cidr", String.class, CelCidr::parse),
              CelFunctionBinding.from(
                  "cidr_contains_cidr_string",
                  CelCidr.class,
                  String.class,
                  (a, b) -> a.containsCidr(CelCidr.parse(b))),
              CelFunctionBinding.from(
                  "cidr_contains_cidr", CelCidr.class, CelCidr.class, CelCidr::containsCidr),
              CelFunctionBinding.from("cidr_prefix_length", CelCidr.class, CelCidr::prefixLength))
          .build();

  private KubernetesCel() {}

  /** Evaluates {@code rule} with {@code self} bound to {@code value}; true when the rule holds. */
  public static boolean holds(String rule, Object value) {
    try {
      CelAbstractSyntaxTree ast = CEL.compile(rule).getAst();
      Object result = CEL.createProgram(ast).eval(Map.of("self", value));
      return Boolean.TRUE.equals(result);
    } catch (Exception e) {
      // The API server reports an evaluation error as a failed rule.
      return false;
    }
  }

  /** Fails when a rule does not compile (with our bound functions), like the API server would. */
  public static void compile(String rule) throws Exception {
    CEL.compile(rule).getAst();
  }

  public static boolean isIp(String s) {
    return family(s) != 0;
  }

  /** 4 or 6 for an address Kubernetes' isIP accepts, else 0. */
  public static int family(String s) {
    if (IPV4.matcher(s).matches()) {
      for (String part : s.split("\\.")) {
        if (Integer.parseInt(part) > 255) {
          return 0;
        }
      }
      return 4;
    }
    if (!s.contains(":") || !IPV6_CHARS.matcher(s).matches()) {
      return 0; // no zones (%), no names
    }
    try {
      byte[] b = java.net.InetAddress.ofLiteral(s).getAddress();
      if (b.length != 16 && s.toLowerCase().startsWith("::ffff:")) {
        return 0; // IPv4-mapped IPv6 is refused
      }
      return b.length == 16 ? 6 : 0;
    } catch (IllegalArgumentException e) {
      return 0;
    }
  }

  public static boolean isCidr(String s) {
    int slash = s.indexOf('/');
    if (slash < 0 || slash != s.lastIndexOf('/')) {
      return false;
    }
    int family = family(s.substring(0, slash));
    String len = s.substring(slash + 1);
    if (family == 0 || !len.matches("^(0|[1-9][0-9]{0,2})$")) {
      return false;
    }
    return Integer.parseInt(len) <= (family == 4 ? 32 : 128);
  }
}
