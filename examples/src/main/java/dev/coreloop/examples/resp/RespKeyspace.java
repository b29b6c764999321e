package dev.coreloop.examples.resp;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What the shards of one RESP server share about their keyspace: the memory budget ({@link RespConfig#maxmemory()})
 * and the counters that {@code INFO} and the budget read (memory used, keys, keys with an expiry, per shard), and the
 * {@link LargeValueExchange} through which large values change reactors by reference.
 *
 * <p>Accounting: each shard publishes what it holds after every operation that changes it: its string keys'
 * {@link KeyStore#usedBytes()} (keys, values, a fixed per-key overhead and the table arrays) plus its collections'
 * estimate ({@link RespShard#collectionBytes()}), its key count and its count of keys with an expiry; and each
 * reactor's connections charge what they have reserved for large values still arriving ({@link #reserve},
 * {@link #release}). {@link #usedBytes()} is the sum over shards. A large value being handed to another shard is
 * counted by neither for the length of one message. Like redis's {@code used_memory} it is the server's own account, not
 * the heap's: output buffers and replies on their way are not in it.
 *
 * <p>The budget is checked on the reactor that parses a command, against the sum it reads then; other reactors'
 * counters may lag by the operations they are executing at that moment. As redis, a write is refused once the memory
 * used is over the limit ({@link #isOverLimit()}), so a small write may take it a little past; a large value is
 * refused when its declared length would take it past ({@link #wouldExceed}), before a byte of it is accepted, so the
 * limit is never passed by more than the small writes in flight.
 *
 * <p><b>Threading:</b> shared by every reactor of a server. Each shard's counters have one writer, the reactor of
 * that shard (release stores: {@code lazySet}); any thread reads them (volatile reads). {@link #attach} runs once per
 * shard at its construction and is synchronized; every reactor thread passes through it before it reads or writes
 * anything here. The counters of different shards are not padded apart: they change only when a shard's account
 * does, and no benchmark has shown their sharing to matter.
 */
public final class RespKeyspace
{
    /** The redis version whose commands and replies this server follows, reported by {@code INFO} and HELLO. */
    static final String REDIS_VERSION = "7.0.0";

    private static final int STORED = 0;
    private static final int KEYS = 1;
    private static final int EXPIRES = 2;
    private static final int RESERVED = 3;
    private static final int STRIDE = 4;
    private static final String[] UNITS = {"K", "M", "G", "T", "P"};

    private final long maxmemoryBytes;
    private final long startEpochMs = System.currentTimeMillis();
    private final int maxRemoteInFlight;
    private AtomicLongArray counters;
    private LargeValueExchange exchange;
    private int reactorCount;

    /**
     * @param config the server's configuration, concluded here if it was not already.
     */
    public RespKeyspace(final RespConfig config)
    {
        config.conclude();
        this.maxmemoryBytes = config.maxmemory();
        this.maxRemoteInFlight = config.maxRemoteInFlight();
    }

    /**
     * Called by each shard when it is created: sizes the shared counters and the large-value exchange for
     * {@code reactorCount} shards on the first call.
     *
     * @throws IllegalStateException if two shards disagree on the reactor count.
     */
    synchronized void attach(final int reactorCount)
    {
        if (counters == null)
        {
            this.reactorCount = reactorCount;
            this.counters = new AtomicLongArray(reactorCount * STRIDE);
            this.exchange = new LargeValueExchange(reactorCount, maxRemoteInFlight);
        }
        else if (this.reactorCount != reactorCount)
        {
            throw new IllegalStateException("RespKeyspace shared by servers of " + this.reactorCount + " and " +
                reactorCount + " reactors");
        }
    }

    /** {@return when this keyspace was created, in epoch milliseconds (INFO's uptime)} */
    long startEpochMs()
    {
        return startEpochMs;
    }

    /** {@return the exchange for large values (after {@link #attach})} */
    LargeValueExchange exchange()
    {
        return exchange;
    }

    /** {@return the memory limit in bytes, 0 for none} */
    public long maxmemoryBytes()
    {
        return maxmemoryBytes;
    }

    /**
     * Publishes what shard {@code shard} holds. Called by that shard's reactor only, and only when something changed
     * (the caller remembers what it published), so an operation that changes nothing writes no shared line.
     */
    void publish(final int shard, final long storedBytes, final long keys, final long expires)
    {
        final int base = shard * STRIDE;
        counters.lazySet(base + STORED, storedBytes); // release: pairs with the volatile reads in sum
        counters.lazySet(base + KEYS, keys);
        counters.lazySet(base + EXPIRES, expires);
    }

    /** Charges {@code bytes} of a large value still arriving to the reactor of shard {@code shard} (its thread only). */
    void reserve(final int shard, final long bytes)
    {
        final int index = shard * STRIDE + RESERVED;
        counters.lazySet(index, counters.get(index) + bytes); // single writer: no read-modify-write race
    }

    /** Gives back what {@link #reserve} charged. */
    void release(final int shard, final long bytes)
    {
        reserve(shard, -bytes);
    }

    /**
     * {@return true if a command that adds {@code incomingBytes} must be refused: a limit is set and the memory used
     * plus the incoming bytes would pass it}
     */
    boolean wouldExceed(final long incomingBytes)
    {
        return maxmemoryBytes > 0 && usedBytes() + incomingBytes > maxmemoryBytes;
    }

    /** {@return true if a limit is set and the memory used is over it (redis's condition for {@code -OOM})} */
    boolean isOverLimit()
    {
        return maxmemoryBytes > 0 && usedBytes() > maxmemoryBytes;
    }

    /** {@return memory used by every shard's keyspace and the large values being received, in bytes} */
    public long usedBytes()
    {
        return sum(STORED) + sum(RESERVED);
    }

    /** {@return keys held by every shard, including expired keys not yet removed} */
    public long keys()
    {
        return sum(KEYS);
    }

    /** {@return keys with an expiry, over every shard} */
    public long expires()
    {
        return sum(EXPIRES);
    }

    /** {@return {@code bytes} the way redis's INFO writes it: {@code 512B}, {@code 1.50K}, {@code 64.00M}} */
    static String bytesToHuman(final long bytes)
    {
        if (bytes < 1024)
        {
            return bytes + "B";
        }
        double value = bytes / 1024.0;
        int unit = 0;
        while (value >= 1024 && unit < UNITS.length - 1)
        {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.2f%s", value, UNITS[unit]);
    }

    private long sum(final int field)
    {
        final AtomicLongArray snapshot = counters;
        if (snapshot == null)
        {
            return 0;
        }
        long total = 0;
        for (int shard = 0; shard < reactorCount; shard++)
        {
            total += snapshot.get(shard * STRIDE + field); // volatile read: pairs with lazySet in publish and reserve
        }
        return total;
    }
}
