package dev.coreloop.examples.resp;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.coreloop.core.Server;
import dev.coreloop.core.ServerContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.JedisPoolConfig;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisDataException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A real redis client library, Jedis 8, against a two-reactor RESP server on 127.0.0.1: a connection pool used from
 * several threads, pipelining, GET/SET/INCR/EXPIRE/MGET/MSET with keys on both shards, values of a few MiB and INFO.
 *
 * <p>At connect Jedis 8 negotiates the protocol with {@code HELLO 3} (falling back to RESP2 on redis's
 * unknown-command error, which this RESP2-only server gives), then pipelines {@code CLIENT SETINFO LIB-NAME} and
 * {@code CLIENT SETINFO LIB-VER}, and {@code CLIENT SETNAME} when a name is configured; every connection of the pool
 * goes through it. Jedis logs through slf4j, bound here by slf4j-simple (the examples' runtime binding).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RespJedisIT
{
    private static final int REACTORS = 2;
    private static final int MIB = 1024 * 1024;

    private static Server server;
    private static int port;

    @BeforeAll
    static void startServer() throws IOException
    {
        final ServerContext ctx = new ServerContext().reactorCount(REACTORS);
        RespServer.install(ctx, new InetSocketAddress("127.0.0.1", 0), new RespConfig());
        server = Server.start(ctx);
        port = server.localAddress(0).getPort();
    }

    @AfterAll
    static void stopServer()
    {
        if (server != null)
        {
            server.close();
        }
    }

    private static JedisPool pool(final DefaultJedisClientConfig.Builder config)
    {
        final JedisPoolConfig poolConfig = new JedisPoolConfig();
        poolConfig.setMaxTotal(8);
        poolConfig.setTestOnBorrow(true); // a PING on every borrow, as careful applications configure it
        poolConfig.setJmxEnabled(false);
        return new JedisPool(poolConfig, new HostAndPort("127.0.0.1", port),
            config.timeoutMillis(30_000).build());
    }

    private static String key(final String prefix, final int shard)
    {
        return CrossShardTest.keyOwnedBy(prefix, shard, REACTORS);
    }

    @Test
    void shouldServeAPooledClientFromSeveralThreadsWithKeysOnBothShards() throws Exception
    {
        try (JedisPool pool = pool(DefaultJedisClientConfig.builder().clientName("jedis-it")))
        {
            final ExecutorService threads = Executors.newFixedThreadPool(4);
            try
            {
                final List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < 4; t++)
                {
                    final int thread = t;
                    done.add(threads.submit(() ->
                    {
                        for (int i = 0; i < 200; i++)
                        {
                            try (Jedis jedis = pool.getResource())
                            {
                                final String key = "pool:" + thread + ":" + i;
                                assertThat(jedis.set(key, "v" + i)).isEqualTo("OK");
                                assertThat(jedis.get(key)).isEqualTo("v" + i);
                                assertThat(jedis.incr("pool:counter:" + thread)).isEqualTo(i + 1);
                            }
                        }
                        return null;
                    }));
                }
                for (final Future<?> future : done)
                {
                    future.get(60, TimeUnit.SECONDS);
                }
            }
            finally
            {
                threads.shutdownNow();
            }
            try (Jedis jedis = pool.getResource())
            {
                assertThat(jedis.clientGetname()).as("CLIENT SETNAME at connect took").isEqualTo("jedis-it");
                assertThat(jedis.ping()).isEqualTo("PONG");
                for (int t = 0; t < 4; t++)
                {
                    assertThat(jedis.get("pool:counter:" + t)).isEqualTo("200");
                }
            }
        }
    }

    @Test
    void shouldAnswerGetSetIncrExpireMgetMsetAcrossShards()
    {
        try (JedisPool pool = pool(DefaultJedisClientConfig.builder()); Jedis jedis = pool.getResource())
        {
            final String a = key("cmd:a", 0);
            final String b = key("cmd:b", 1);
            final String n = key("cmd:n", 1);
            assertThat(jedis.mset(a, "1", b, "2")).isEqualTo("OK");
            assertThat(jedis.mget(a, b, "cmd:none")).containsExactly("1", "2", null);
            assertThat(jedis.incr(n)).isEqualTo(1);
            assertThat(jedis.incrBy(n, 41)).isEqualTo(42);
            assertThat(jedis.decr(n)).isEqualTo(41);
            assertThat(jedis.expire(a, 100)).isEqualTo(1);
            assertThat(jedis.ttl(a)).isEqualTo(100);
            assertThat(jedis.ttl(b)).isEqualTo(-1);
            assertThat(jedis.expire("cmd:none", 100)).isZero();
            assertThat(jedis.exists(a, b, "cmd:none")).isEqualTo(2);
            assertThat(jedis.del(a, b)).isEqualTo(2);
            assertThat(jedis.get(a)).isNull();
            assertThat(jedis.set("cmd:bad", "x")).isEqualTo("OK");
            assertThatThrownBy(() -> jedis.incr("cmd:bad")).isInstanceOf(JedisDataException.class)
                .hasMessage("ERR value is not an integer or out of range");
            assertThat(jedis.select(0)).isEqualTo("OK");
            assertThat(jedis.clientId()).isPositive();
        }
    }

    @Test
    void shouldPipelineAcrossShardsInOrder()
    {
        try (JedisPool pool = pool(DefaultJedisClientConfig.builder()); Jedis jedis = pool.getResource())
        {
            final Pipeline pipeline = jedis.pipelined();
            final List<Response<String>> sets = new ArrayList<>();
            final List<Response<String>> gets = new ArrayList<>();
            final List<Response<Long>> incrs = new ArrayList<>();
            for (int i = 0; i < 2_000; i++)
            {
                final String key = key("pipe:" + i + ":", i % REACTORS);
                sets.add(pipeline.set(key, "value-" + i));
                gets.add(pipeline.get(key));
                incrs.add(pipeline.incr("pipe:counter"));
            }
            final Response<List<String>> mget = pipeline.mget(key("pipe:0:", 0), key("pipe:1:", 1), "pipe:none");
            final Response<Long> dbsize = pipeline.dbSize();
            pipeline.sync();
            for (int i = 0; i < 2_000; i++)
            {
                assertThat(sets.get(i).get()).isEqualTo("OK");
                assertThat(gets.get(i).get()).isEqualTo("value-" + i);
                assertThat(incrs.get(i).get()).isEqualTo(i + 1);
            }
            assertThat(mget.get()).containsExactly("value-0", "value-1", null);
            assertThat(dbsize.get()).isGreaterThanOrEqualTo(2_001);
        }
    }

    @Test
    void shouldStoreAndReturnValuesOfSeveralMiBOnEveryShard()
    {
        try (JedisPool pool = pool(DefaultJedisClientConfig.builder()); Jedis jedis = pool.getResource())
        {
            final Random random = new Random(8);
            for (int shard = 0; shard < REACTORS; shard++)
            {
                final byte[] key = key("large:", shard).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                final byte[] value = new byte[3 * MIB + shard];
                random.nextBytes(value);
                assertThat(jedis.set(key, value)).isEqualTo("OK");
                assertThat(jedis.get(key)).isEqualTo(value);
            }
        }
        try (JedisPool pool = pool(DefaultJedisClientConfig.builder()); Jedis jedis = pool.getResource())
        {
            final Pipeline pipeline = jedis.pipelined();
            final Random random = new Random(9);
            final List<byte[]> values = new ArrayList<>();
            final List<Response<byte[]>> replies = new ArrayList<>();
            for (int i = 0; i < 6; i++)
            {
                final byte[] key = key("large-pipe:" + i + ":", i % REACTORS)
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                final byte[] value = new byte[MIB + i * 100_000];
                random.nextBytes(value);
                values.add(value);
                pipeline.set(key, value);
                replies.add(pipeline.get(key));
            }
            pipeline.sync();
            for (int i = 0; i < 6; i++)
            {
                assertThat(Arrays.equals(replies.get(i).get(), values.get(i))).as("pipelined value " + i).isTrue();
            }
        }
    }

    @Test
    void shouldAnswerInfoWithMemoryAndKeyspace()
    {
        try (JedisPool pool = pool(DefaultJedisClientConfig.builder()); Jedis jedis = pool.getResource())
        {
            jedis.set(key("info:", 0), "x");
            jedis.set(key("info:", 1), "y");
            final String all = jedis.info();
            assertThat(all).contains("# Server\r\nredis_version:").contains("redis_mode:standalone")
                .contains("# Memory\r\nused_memory:").contains("maxmemory_policy:noeviction")
                .contains("# Keyspace\r\ndb0:keys=");
            assertThat(jedis.info("memory")).startsWith("# Memory\r\n").doesNotContain("# Server");
            assertThat(jedis.dbSize()).isPositive();
            assertThat(jedis.configGet("maxmemory")).containsEntry("maxmemory",
                Long.toString(Runtime.getRuntime().maxMemory() / 2));
        }
    }

    @Test
    void shouldConnectWhenTheClientAsksForResp2Explicitly()
    {
        try (JedisPool pool = pool(DefaultJedisClientConfig.builder().protocol(RedisProtocol.RESP2));
            Jedis jedis = pool.getResource())
        {
            assertThat(jedis.set("resp2:k", "v")).isEqualTo("OK");
            assertThat(jedis.get("resp2:k")).isEqualTo("v");
        }
    }
}
