package dev.wiremesh.wireguard.offload;

/**
 * Where one offload stands: not negotiated yet, in use, disabled by the user, refused by the kernel
 * when asked, or used and then refused at run time (the data plane fell back to the plain path).
 *
 * @param status where it stands
 * @param detail what the kernel said (an errno) or where it applies (e.g. {@code ipv4, ipv6}); may
 *     be empty
 */
public record OffloadState(Status status, String detail) {
  /** Where an offload stands. */
  public enum Status {
    /** Not asked for yet (the UDP sockets open when the device starts). */
    PENDING("pending"),
    /** The kernel accepted it and the data plane uses it. */
    ON("on"),
    /** Disabled through {@value OffloadPolicy#ENV}. */
    DISABLED("disabled"),
    /** The kernel refused it when asked; the plain path is used. */
    REFUSED("refused"),
    /** Accepted, then refused by the kernel while sending; the plain path is used from then on. */
    FELL_BACK("fell back");

    private final String text;

    Status(String text) {
      this.text = text;
    }

    @Override
    public String toString() {
      return text;
    }
  }

  public OffloadState {
    detail = detail == null ? "" : detail;
  }

  /** Whether the data plane uses the offload now. */
  public boolean engaged() {
    return status == Status.ON;
  }

  @Override
  public String toString() {
    return detail.isEmpty() ? status.toString() : status + " (" + detail + ")";
  }
}
