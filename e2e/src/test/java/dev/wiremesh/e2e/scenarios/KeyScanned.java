package dev.wiremesh.e2e.scenarios;

import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/** A local mesh test class whose run ends with a {@link KeyScan}. */
interface KeyScanned {

  /** The scan watching the class's mesh since it started. */
  KeyScan keyScan();

  /**
   * Last: no private key of any node (every one its agent held during the run, rotated and next
   * keys included), of the external peers the scenarios made, nor any preshared key, in any log or
   * object of the API server ({@link KeyScan}).
   */
  @Test
  @Order(99)
  default void noPrivateOrPresharedKeyAppearsInAnyLogOrResource() throws Exception {
    keyScan().assertNoPrivateOrPresharedKeyAppears();
  }
}
