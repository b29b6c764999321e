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
        return index < 0 ? null : new String(store.valueBytes(index), 0, store.valueLength(index),
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
    void shouldReuseTheValueArrayForSimilarSizedValues()
    {
        put("k", "12345678", KeyStore.NO_EXPIRY);
        final byte[] first = store.valueBytes(find("k"));
        put("k", "abcdefgh", KeyStore.NO_EXPIRY);
        assertThat(store.valueBytes(find("k"))).isSameAs(first);
        put("k", "x".repeat(100), KeyStore.NO_EXPIRY);
        assertThat(store.valueBytes(find("k"))).isNotSameAs(first);
        assertThat(get("k")).isEqualTo("x".repeat(100));
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
        long bytes = (long)capacity * (3 * 8 + 4 + 4 + 8);
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
                model.put(key, store.valueBytes(find(key)).length);
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
