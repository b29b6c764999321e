package dev.coreloop.examples.resp;

/**
 * A value of one of redis's collection types (list, set, hash, sorted set) held by a {@link CollectionStore}, with
 * the estimate of the bytes it takes, kept up to date on every change and added to its store's account.
 *
 * <p>The estimate counts the element bytes plus a fixed overhead per element ({@link #ENTRY_OVERHEAD_BYTES}, the
 * order of what a JVM spends on a small object, its array or map slot and its header), not the heap's exact figure.
 *
 * <p><b>Threading:</b> confined to the reactor of its shard.
 */
abstract class CollectionValue
{
    /** Bytes counted per element, field or member beyond its own bytes. */
    static final int ENTRY_OVERHEAD_BYTES = 48;
    /** Bytes counted for the collection object itself. */
    static final int VALUE_OVERHEAD_BYTES = 64;

    private final CollectionStore.Account account;
    private long bytes;

    CollectionValue(final CollectionStore.Account account)
    {
        this.account = account;
        grow(VALUE_OVERHEAD_BYTES);
    }

    /** A collection whose members (or fields) are removed by name: sets, hashes, sorted sets. */
    interface Members
    {
        /**
         * Removes a member (a hash's field).
         *
         * @param member its bytes.
         * @return true if it was there.
         */
        boolean remove(Bytes member);
    }

    /** {@return redis's name for the type, as TYPE answers} */
    abstract String typeName();

    /** {@return elements (list), members (set, sorted set) or fields (hash)} */
    abstract int size();

    /** {@return the estimated bytes this value takes} */
    final long bytes()
    {
        return bytes;
    }

    /** Adds {@code delta} (negative when shrinking) to this value's estimate and to its store's account. */
    final void grow(final long delta)
    {
        bytes += delta;
        account.add(delta);
    }

    /** Takes this value's whole estimate out of its store's account (its key was removed). */
    final void release()
    {
        account.add(-bytes);
        bytes = 0;
    }
}
