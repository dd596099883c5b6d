package dev.wiremesh.wireguard.tun;

import java.io.Closeable;
import java.io.IOException;

/**
 * A layer-3 virtual interface: the device reads the IP packets the kernel routes into it and writes
 * the IP packets it decrypted. Modelled on wireguard-go's {@code tun.Device}: the batch calls move
 * several packets per call.
 *
 * <h2>Packets and buffers</h2>
 *
 * One packet is one raw IP datagram (IPv4 or IPv6, no link or packet-information header). Every
 * buffer is owned by the caller: an implementation reads into or writes from it only during the
 * call and keeps no reference afterwards. In the batch calls packet {@code i} occupies {@code
 * bufs[i][offset, offset + sizes[i])}; the {@code offset} leaves room in front of the packet for
 * the caller's own header (the device puts the 16-byte transport header there and encrypts in
 * place).
 *
 * <h2>Threads</h2>
 *
 * One thread reads at a time. {@code write} may be called from several threads at once and
 * concurrently with {@code read}. {@code close} may be called from any thread, at any time, more
 * than once.
 *
 * <h2>Ending</h2>
 *
 * <ul>
 *   <li>{@link #close()} makes a reader blocked in {@code read} return promptly with {@link
 *       java.nio.channels.ClosedChannelException}; later calls throw the same.
 *   <li>When the interface is deleted under the device ({@code ip link del}), {@code read} and
 *       {@code write} throw {@link TunGoneException}; the device should then shut down.
 *   <li>Any other {@link IOException} is an error of that one call.
 * </ul>
 */
public interface TunDevice extends Closeable {

  /** The interface's name as the kernel knows it, e.g. {@code wg0}. */
  String name();

  /**
   * The interface's current MTU, read from the kernel on every call (the user may change it at any
   * time with {@code ip link set mtu}), so callers should not cache it for long.
   *
   * @throws TunGoneException if the interface was deleted
   */
  int mtu() throws IOException;

  /**
   * The most packets one batch call moves (1 unless the implementation batches). Callers size their
   * {@code bufs} and {@code sizes} arrays to this to get full batches; smaller arrays are allowed
   * and just give smaller batches.
   */
  default int batchSize() {
    return 1;
  }

  /**
   * Reads one packet into {@code buf[off, off + len)}, blocking until one is available.
   *
   * @return the packet's length; a packet longer than {@code len} is truncated to {@code len}
   * @throws java.nio.channels.ClosedChannelException if the device is or gets closed
   * @throws TunGoneException if the interface was deleted
   */
  int read(byte[] buf, int off, int len) throws IOException;

  /**
   * Reads at least one and at most {@code min(bufs.length, batchSize())} packets, blocking until
   * the first is available and never waiting for more. Packet {@code i} is stored at {@code
   * bufs[i][offset, ...)} and its length in {@code sizes[i]}.
   *
   * @return the number of packets read (at least 1)
   */
  default int read(byte[][] bufs, int[] sizes, int offset) throws IOException {
    sizes[0] = read(bufs[0], offset, bufs[0].length - offset);
    return 1;
  }

  /**
   * Writes one packet, {@code buf[off, off + len)}, into the kernel. Does not block for long: if
   * the kernel's queue is full the call waits until it drains or the device closes.
   *
   * @throws TunGoneException if the interface was deleted
   * @throws IOException if the kernel refuses the packet (Linux: EIO while the interface is down,
   *     EINVAL for bytes that are not an IP packet); the packet is lost, the device stays usable
   */
  void write(byte[] buf, int off, int len) throws IOException;

  /**
   * Writes {@code count} packets; packet {@code i} is {@code bufs[i][offset, offset + sizes[i])}.
   *
   * @return the number of packets written; on an error after some were written the error is thrown
   *     and the rest are not written
   */
  default int write(byte[][] bufs, int[] sizes, int offset, int count) throws IOException {
    for (int i = 0; i < count; i++) {
      write(bufs[i], offset, sizes[i]);
    }
    return count;
  }

  /**
   * Closes the device: unblocks a blocked reader (it throws {@link
   * java.nio.channels.ClosedChannelException}), releases the file descriptor and, for a TUN that
   * this process created, lets the kernel remove the interface. Idempotent.
   */
  @Override
  void close() throws IOException;
}
