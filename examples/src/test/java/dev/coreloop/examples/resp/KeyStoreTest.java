package dev.coreloop.examples.resp;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class KeyStoreTest
{
    private final KeyStore store = new KeyStore();
    private long nowNs = 5_000;

    private static UnsafeBuffer bytes(final String text)
    {
        return new UnsafeBuffer(text.getBytes(StandardCharsets.US_ASCII));
    }

    private int find(final String key)
    {
        final UnsafeBuffer k = bytes(key);
        return store.find(k, 0, k.capacity(), KeyHash.hash(k, 0, k.capacity()), nowNs);
    }

    private void put(final String key, final String value, final long deadlineNs)
    {
        final UnsafeBuffer k = bytes(key);
        final UnsafeBuffer v = bytes(value);
        store.put(k, 0, k.capacity(), KeyHash.hash(k, 0, k.capacity()), v, 0, v.capacity(), deadlineNs, nowNs);
    }

    private boolean remove(final String key)
    {
        final UnsafeBuffer k = bytes(key);
        return store.remove(k, 0, k.capacity(), KeyHash.hash(k, 0, k.capacity()), nowNs);
    }

    private String get(final String key)
    {
        final int index = find(key);
        return index < 0 ? null : new String(store.entry(index), store.valueOffset(index), store.valueLength(index),
            StandardCharsets.US_ASCII);
    }

    @Test
    void shouldBehaveLikeAHashMapUnderRandomOperations()
    {
        final Map<String, String> model = new HashMap<>();
        final Random random = new Random(7);
        for (int i = 0; i < 200_000; i++)
        {
            final String key = "k" + random.nextInt(5_000);
            switch (random.nextInt(3))
            {
                case 0:
                {
                    final String value = "v" + random.nextInt(1_000_000);
                    put(key, value, KeyStore.NO_EXPIRY);
                    model.put(key, value);
                    break;
                }
                case 1:
                    assertThat(remove(key)).isEqualTo(model.remove(key) != null);
                    break;
                default:
                    assertThat(get(key)).isEqualTo(model.get(key));
                    break;
            }
            assertThat(store.size()).isEqualTo(model.size());
        }
        for (final Map.Entry<String, String> entry : model.entrySet())
        {
            assertThat(get(entry.getKey())).isEqualTo(entry.getValue());
        }
        assertThat(store.capacity()).isGreaterThanOrEqualTo(model.size());
    }

    @Test
    void shouldExpireLazilyAtTheDeadline()
    {
        put("k", "v", nowNs + 100);
        nowNs += 99;
        assertThat(get("k")).isEqualTo("v");
        nowNs += 1;
        assertThat(get("k")).isNull();
        assertThat(store.size()).isZero();
    }

    @Test
    void shouldSweepABoundedNumberOfSlotsPerCall()
    {
        for (int i = 0; i < 500; i++)
        {
            put("e" + i, "v", nowNs + 10);
        }
        put("keep", "v", KeyStore.NO_EXPIRY);
        nowNs += 10;
        final int capacity = store.capacity();
        int removed = 0;
        int calls = 0;
        while (store.size() > 1)
        {
            final int r = store.sweep(nowNs, 64);
            assertThat(r).isLessThanOrEqualTo(64);
            removed += r;
            calls++;
            assertThat(calls).isLessThan(4 * capacity / 64 + 10);
        }
        assertThat(removed).isEqualTo(500);
        assertThat(get("keep")).isEqualTo("v");
    }

    @Test
    void shouldReuseTheEntryForSimilarSizedValues()
    {
        put("k", "12345678", KeyStore.NO_EXPIRY);
        final byte[] first = store.entry(find("k"));
        put("k", "abcdefgh", KeyStore.NO_EXPIRY);
        assertThat(store.entry(find("k"))).isSameAs(first);
        put("k", "abc", KeyStore.NO_EXPIRY);
        assertThat(store.entry(find("k"))).isSameAs(first);
        assertThat(get("k")).isEqualTo("abc");
        put("k", "x".repeat(100), KeyStore.NO_EXPIRY);
        assertThat(store.entry(find("k"))).isNotSameAs(first);
        assertThat(get("k")).isEqualTo("x".repeat(100));
    }

    @Test
    void shouldTellApartKeysThatShareAHashAndKeysOfEveryLength()
    {
        // Every key gets the same hash, so all share one probe run: only the key bytes tell them apart, and removing
        // from the middle of the run must shift the rest back. Lengths 0..40 cover the 8-byte and the tail compares.
        final int sameHash = 42;
        final Map<String, String> model = new HashMap<>();
        for (int length = 0; length <= 40; length++)
        {
            final String key = "k".repeat(length);
            final String twin = length == 0 ? "z" : key.substring(0, length - 1) + "z"; // differs in the last byte
            for (final String k : new String[] {key, twin})
            {
                final UnsafeBuffer kb = bytes(k);
                final UnsafeBuffer v = bytes("v" + k);
                store.put(kb, 0, kb.capacity(), sameHash, v, 0, v.capacity(), KeyStore.NO_EXPIRY, nowNs);
                model.put(k, "v" + k);
            }
        }
        final Random random = new Random(3);
        for (final String k : model.keySet().toArray(new String[0]))
        {
            if (random.nextBoolean())
            {
                final UnsafeBuffer kb = bytes(k);
                assertThat(store.remove(kb, 0, kb.capacity(), sameHash, nowNs)).isTrue();
                model.remove(k);
            }
        }
        assertThat(store.size()).isEqualTo(model.size());
        for (int length = 0; length <= 41; length++)
        {
            for (final String k : new String[] {"k".repeat(length), "x".repeat(length)})
            {
                final UnsafeBuffer kb = bytes(k);
                final int index = store.find(kb, 0, kb.capacity(), sameHash, nowNs);
                final String value = index < 0 ? null :
                    new String(store.entry(index), store.valueOffset(index), store.valueLength(index),
                        StandardCharsets.US_ASCII);
                assertThat(value).as("key of length %d", length).isEqualTo(model.get(k));
                if (index >= 0)
                {
                    assertThat(store.keyLength(index)).isEqualTo(length);
                }
            }
        }
    }

    @Test
    void shouldReplaceALargeValueByBytesAndBack()
    {
        final UnsafeBuffer k = bytes("k");
        final int hash = KeyHash.hash(k, 0, k.capacity());
        put("k", "0123456789", KeyStore.NO_EXPIRY);
        final LargeValue large = new LargeValue(1_000);
        store.putLarge(k, 0, k.capacity(), hash, large, KeyStore.NO_EXPIRY, nowNs);
        assertThat(store.isLarge(find("k"))).isTrue();
        assertThat(store.largeValue(find("k"))).isSameAs(large);
        assertThat(store.valueLength(find("k"))).isEqualTo(1_000);
        assertThat(store.valueSpace(find("k"))).isZero();
        put("k", "small", KeyStore.NO_EXPIRY);
        assertThat(store.isLarge(find("k"))).isFalse();
        assertThat(store.largeValue(find("k"))).isNull();
        assertThat(get("k")).isEqualTo("small");
        assertThat(store.usedBytes()).isEqualTo((long)store.capacity() * (8 + 8 + 8 + 8) + 1 +
            KeyStore.ENTRY_OVERHEAD_BYTES + store.valueSpace(find("k")));
    }

    @Test
    void shouldClear()
    {
        for (int i = 0; i < 5_000; i++)
        {
            put("k" + i, "v", KeyStore.NO_EXPIRY);
        }
        store.clear();
        assertThat(store.size()).isZero();
        assertThat(get("k1")).isNull();
    }

    @Test
    void shouldSpreadKeysOverShardsEvenly()
    {
        final int[] perShard = new int[4];
        for (int i = 0; i < 40_000; i++)
        {
            final byte[] key = ("key:" + i).getBytes(StandardCharsets.US_ASCII);
            perShard[KeyHash.owner(KeyHash.hash(key, 0, key.length), 4)]++;
        }
        for (final int count : perShard)
        {
            assertThat(count).isBetween(9_000, 11_000);
        }
        final UnsafeBuffer direct = bytes("same bytes");
        assertThat(KeyHash.hash(direct, 0, direct.capacity())).isEqualTo(
            KeyHash.hash("same bytes".getBytes(StandardCharsets.US_ASCII), 0, 10));
    }

    /** {@return what the account must be: recomputed from scratch over the model} */
    private static long expectedUsedBytes(final Map<String, Object> model, final int capacity)
    {
        long bytes = (long)capacity * (8 + 8 + 8 + 8); // meta, two references, deadline
        for (final Map.Entry<String, Object> entry : model.entrySet())
        {
            bytes += entry.getKey().length() + KeyStore.ENTRY_OVERHEAD_BYTES;
            bytes += entry.getValue() instanceof LargeValue large ? large.footprintBytes() : (Integer)entry.getValue();
        }
        return bytes;
    }

    @Test
    void shouldKeepItsAccountOfKeysValuesAndExpiriesThroughEveryChange()
    {
        final Random random = new Random(77);
        final Map<String, Object> model = new HashMap<>(); // key -> value array length, or the large value
        final Map<String, Boolean> expiring = new HashMap<>();
        for (int step = 0; step < 20_000; step++)
        {
            final String key = "k" + random.nextInt(3000);
            final int action = random.nextInt(10);
            if (action < 5)
            {
                final String value = "v".repeat(random.nextInt(100));
                final boolean expires = random.nextBoolean();
                put(key, value, expires ? nowNs + 1_000_000_000L : KeyStore.NO_EXPIRY);
                model.put(key, store.valueSpace(find(key)));
                expiring.put(key, expires);
            }
            else if (action < 6)
            {
                final UnsafeBuffer k = bytes(key);
                final LargeValue large = new LargeValue(1 + random.nextInt(200_000));
                store.putLarge(k, 0, k.capacity(), KeyHash.hash(k, 0, k.capacity()), large, KeyStore.NO_EXPIRY,
                    nowNs);
                model.put(key, large);
                expiring.put(key, false);
            }
            else if (action < 8)
            {
                assertThat(remove(key)).isEqualTo(model.remove(key) != null);
                expiring.remove(key);
            }
            else if (action < 9 && model.containsKey(key))
            {
                store.expireAtNs(find(key), nowNs + 5);
                expiring.put(key, true);
            }
            else if (step % 5000 == 4999)
            {
                store.clear();
                model.clear();
                expiring.clear();
            }
            assertThat(store.size()).isEqualTo(model.size());
        }
        assertThat(store.usedBytes()).isEqualTo(expectedUsedBytes(model, store.capacity()));
        assertThat(store.expires()).isEqualTo((int)expiring.values().stream().filter(e -> e).count());
        nowNs += 10; // the short expiries pass; the sweep removes them and their account
        while (store.sweep(nowNs, store.capacity()) > 0)
        {
            // again until nothing expired is left
        }
        model.keySet().removeIf(key -> find(key) < 0);
        assertThat(store.usedBytes()).isEqualTo(expectedUsedBytes(model, store.capacity()));
    }
}
