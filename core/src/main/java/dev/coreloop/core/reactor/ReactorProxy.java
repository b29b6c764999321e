package dev.coreloop.core.reactor;

import java.nio.ByteBuffer;
import java.nio.channels.Selector;
import java.util.function.Consumer;

import dev.coreloop.core.ReactorCounter;
import dev.coreloop.core.conn.ConnState;
import dev.coreloop.core.internal.AnyThread;
import dev.coreloop.core.internal.ReactorThread;
import dev.coreloop.core.internal.ServerCounters;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.OneToOneConcurrentArrayQueue;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * The thread-safe front door of one {@link ReactorAgent}: every way another thread reaches a reactor. The acceptor
 * hands channels to its inbox, any thread submits tasks, reactors send messages; a producer wakes the reactor only
 * when it is parked in its selector. Nothing else of the reactor is touched from outside.
 *
 * <p><b>Threading:</b> methods marked {@link AnyThread} may be called from any thread; the others are called only
 * by the owning reactor thread (the consumer side of the queues and the parking protocol).
 */
public final class ReactorProxy
{
    /** Bytes before each message in the ring: the service index and the source reactor. */
    static final int MESSAGE_HEADER_LENGTH = 8;
    private static final ConnState[] STATES = ConnState.values();

    /**
     * One-to-one: only the acceptor thread offers, only the reactor polls. A many-to-one queue would cost a CAS per
     * offer for producers that do not exist (in REUSE_PORT mode the inbox is unused).
     */
    private final OneToOneConcurrentArrayQueue<HandOff> inbox;
    private final ManyToOneConcurrentArrayQueue<Runnable> tasks;
    private final ManyToOneRingBuffer messages;
    private final Class<?>[] serviceTypes;
    private final AtomicCounter taskRejections;
    private final AtomicCounter messageRejections;
    private final AtomicCounter wakeups;
    private final AtomicCounter[] stateGauges = new AtomicCounter[STATES.length];

    /**
     * Set (volatile) by the reactor just before it blocks in select, cleared after. The lost-wake-up race: a
     * producer that enqueues after the reactor last looked at its queues, but before it blocks, must make the select
     * return. Both sides store then load (Dekker): the reactor stores {@code sleeping = true} and then re-checks
     * every queue ({@link #prepareToPark()}); a producer stores into a queue (release in the queue) and then loads
     * {@code sleeping} ({@link #wakeIfParked()}). Volatile accesses are sequentially consistent, so at least one side
     * sees the other's store: either the reactor sees the new entry and does not block, or the producer sees
     * {@code sleeping} and calls {@code selector.wakeup()}, which makes the current or the next select return at once.
     * While the reactor runs, producers skip the wake-up (a syscall).
     */
    private volatile boolean sleeping;
    /** The graceful shutdown request: its deadline in ms, or -1. Written by the server thread. */
    private volatile long shutdownRequestMs = -1;
    /** Set once the reactor has closed: producers then get false instead of work that would never run. */
    private volatile boolean closed;
    /** Set once the reactor died of an error outside user code. */
    private volatile boolean dead;
    /** The reactor's selector, published by the reactor thread when it starts. */
    private volatile Selector selector;

    /**
     * @param index             the reactor's index.
     * @param inboxCapacity     inbox slots.
     * @param taskQueueCapacity task queue slots.
     * @param messageRingBytes  message ring capacity, a power of two.
     * @param serviceTypes      the registered service types, in registration order.
     * @param counters          the server's counters.
     */
    public ReactorProxy(
        final int index,
        final int inboxCapacity,
        final int taskQueueCapacity,
        final int messageRingBytes,
        final Class<?>[] serviceTypes,
        final ServerCounters counters)
    {
        this.inbox = new OneToOneConcurrentArrayQueue<>(inboxCapacity);
        this.tasks = new ManyToOneConcurrentArrayQueue<>(taskQueueCapacity);
        this.messages = new ManyToOneRingBuffer(new UnsafeBuffer(
            ByteBuffer.allocateDirect(messageRingBytes + RingBufferDescriptor.TRAILER_LENGTH)));
        this.serviceTypes = serviceTypes;
        this.taskRejections = counters.counter(index, ReactorCounter.TASK_QUEUE_REJECTIONS);
        this.messageRejections = counters.counter(index, ReactorCounter.MESSAGE_RING_REJECTIONS);
        this.wakeups = counters.counter(index, ReactorCounter.WAKEUPS);
        for (final ConnState state : STATES)
        {
            stateGauges[state.code()] = counters.counter(index, ReactorCounter.forState(state));
        }
    }

    /**
     * Offers an accepted channel (the acceptor is the only producer).
     *
     * @return false if the inbox is full: the caller counts it and closes the channel.
     */
    @AnyThread
    public boolean handOff(final HandOff handOff)
    {
        if (closed || !inbox.offer(handOff)) // release: pairs with the acquire in inbox.drain (drainInbox)
        {
            return false;
        }
        wakeIfParked();
        return true;
    }

    /** @return false if the task queue is full or the reactor has closed: the task will not run. */
    @AnyThread
    public boolean execute(final Runnable task)
    {
        if (closed || !tasks.offer(task)) // release: pairs with the acquire in tasks.poll (pollTask)
        {
            taskRejections.increment();
            return false;
        }
        wakeIfParked();
        return true;
    }

    /** @return the index of a registered service type, or -1. A small scan by identity. */
    @AnyThread
    public int serviceIndex(final Class<?> type)
    {
        for (int i = 0; i < serviceTypes.length; i++)
        {
            if (serviceTypes[i] == type)
            {
                return i;
            }
        }
        return -1;
    }

    /** @return the largest message payload the ring takes. */
    @AnyThread
    public int maxMessageLength()
    {
        return messages.maxMsgLength() - MESSAGE_HEADER_LENGTH;
    }

    /** Copies a message into the ring (no allocation). @return false if the ring is full or the reactor closed. */
    @AnyThread
    public boolean sendMessage(
        final int sourceReactor,
        final int serviceIndex,
        final int msgTypeId,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        final int claimIndex = closed ? -1 : messages.tryClaim(msgTypeId, length + MESSAGE_HEADER_LENGTH);
        if (claimIndex < 0)
        {
            messageRejections.increment();
            return false;
        }
        final MutableDirectBuffer ring = messages.buffer();
        ring.putInt(claimIndex, serviceIndex);
        ring.putInt(claimIndex + 4, sourceReactor);
        ring.putBytes(claimIndex + MESSAGE_HEADER_LENGTH, buffer, offset, length);
        messages.commit(claimIndex); // release: pairs with the acquire in messages.read (readMessages)
        wakeIfParked();
        return true;
    }

    /** Asks for a graceful shutdown with a deadline of {@code deadlineMs} from when the reactor sees it. */
    @AnyThread
    public void requestShutdown(final long deadlineMs)
    {
        shutdownRequestMs = Math.max(0, deadlineMs); // volatile: read by the reactor each cycle and before parking
        final Selector s = selector;
        if (s != null)
        {
            s.wakeup();
        }
    }

    /** @return connections on this reactor not yet closed, plus those waiting in its inbox (gauges, acquire). */
    @AnyThread
    public long openConnections()
    {
        long open = inbox.size();
        for (final ConnState state : STATES)
        {
            if (state != ConnState.CLOSED)
            {
                open += stateGauges[state.code()].getAcquire();
            }
        }
        return open;
    }

    /** @return the reactor's selector once started, else null. */
    @AnyThread
    public Selector selector()
    {
        return selector;
    }

    private void wakeIfParked()
    {
        if (sleeping) // volatile load after the producer's queue store: see the field
        {
            wakeups.increment();
            selector.wakeup();
        }
    }

    // Reactor side.

    @ReactorThread
    void selector(final Selector selector)
    {
        this.selector = selector;
    }

    @ReactorThread
    int drainInbox(final Consumer<HandOff> handler, final int limit)
    {
        return inbox.drain(handler, limit);
    }

    @ReactorThread
    HandOff pollInbox()
    {
        return inbox.poll();
    }

    @ReactorThread
    Runnable pollTask()
    {
        return tasks.poll();
    }

    @ReactorThread
    int readMessages(final MessageHandler handler, final int limit)
    {
        return messages.read(handler, limit);
    }

    /** @return the requested shutdown deadline in ms, or -1. */
    @ReactorThread
    long shutdownRequestMs()
    {
        return shutdownRequestMs;
    }

    /**
     * Sets {@code sleeping}, then re-checks every queue (see the field).
     *
     * @return true if the reactor may block; false if work arrived (the flag is cleared again).
     */
    @ReactorThread
    boolean prepareToPark(final boolean shutdownSeen)
    {
        sleeping = true; // volatile store, then the loads below
        if (!inbox.isEmpty() || !tasks.isEmpty() || messages.size() > 0 || (!shutdownSeen && shutdownRequestMs >= 0))
        {
            sleeping = false;
            return false;
        }
        return true;
    }

    /** The reactor stopped blocking. */
    @ReactorThread
    void unpark()
    {
        sleeping = false;
    }

    /** The reactor has closed: producers get false from now on. */
    @ReactorThread
    void markClosed()
    {
        closed = true;
    }

    /** The reactor died of an error outside user code: placement skips it, producers get false. */
    @ReactorThread
    void markDead()
    {
        dead = true; // volatile: read by the acceptor's placement and Server.health()
        closed = true;
    }

    /** @return true once the reactor died of an error outside user code. */
    @AnyThread
    public boolean isDead()
    {
        return dead;
    }

    /** @return true once the reactor has closed (stopped, failed to start or died): it takes no more work. */
    @AnyThread
    public boolean isClosed()
    {
        return closed;
    }
}
