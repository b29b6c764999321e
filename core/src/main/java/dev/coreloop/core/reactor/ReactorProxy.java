package dev.coreloop.core.reactor;

import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.channels.Selector;
import java.util.function.Consumer;

import dev.coreloop.core.status.ReactorCounter;
import dev.coreloop.core.conn.ConnState;
import dev.coreloop.core.AnyThread;
import dev.coreloop.core.ReactorThread;
import dev.coreloop.core.status.ServerCounters;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.OneToOneConcurrentArrayQueue;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.agrona.concurrent.status.AtomicCounter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thread-safe front door of one {@link ReactorAgent}: every way another thread reaches a reactor. The acceptor
 * hands channels to its inbox, any thread submits tasks, reactors send messages; a producer wakes the reactor only
 * when it is parked in its selector. Nothing else of the reactor is touched from outside.
 *
 * <p>Three promises, each proved by a jcstress test in the {@code stress} module:
 * <ul>
 *     <li><b>no lost wake-up</b>: whatever a producer publishes while the reactor is going to sleep either stops it
 *     from blocking or wakes it (see {@link #sleeping});</li>
 *     <li><b>run or refuse</b>: {@link #execute} returning true means the task runs on the reactor thread (at the
 *     latest when the reactor closes, {@link #closeAndDrain}); false means it never runs. The same holds for
 *     {@link #handOff}: an accepted channel is registered or closed by the reactor (see {@link #gate});</li>
 *     <li><b>whole messages</b>: a message read by the reactor has all its bytes (the ring's commit is a release
 *     store, its read an acquire load).</li>
 * </ul>
 * Messages are not behind the close gate: see {@link #sendMessage}.
 *
 * <p><b>Threading:</b> methods marked {@link AnyThread} may be called from any thread; the others are called only
 * by the owning reactor thread (the consumer side of the queues, the parking protocol and the close).
 */
public final class ReactorProxy
{
    /** Bytes before each message in the ring: the service index and the source reactor. */
    static final int MESSAGE_HEADER_LENGTH = 8;
    private static final ConnState[] STATES = ConnState.values();
    private static final Logger LOG = LoggerFactory.getLogger(ReactorProxy.class);

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
    private final AtomicCounter tasksRun;
    private final AtomicCounter handlerErrors;
    private final int index;
    private final AtomicCounter[] stateGauges = new AtomicCounter[STATES.length];

    /**
     * The parking flag: set (volatile store) by the reactor just before it blocks in select, cleared after.
     *
     * <p><b>The lost-wake-up race.</b> The reactor looks at its queues, finds them empty and blocks in select. A
     * producer that publishes after that last look, but before the reactor blocks, must make the select return, or
     * its entry waits for the next I/O event or timer (up to {@link ReactorAgent#MAX_PARK_MS}). Both sides store, then
     * load (Dekker):
     * <pre>
     *   reactor  ({@link #prepareToPark}): sleeping = true (volatile) ; load every queue (volatile) -&gt; empty? block
     *   producer ({@link #wakeIfParked}):  publish into a queue ; VarHandle.fullFence() ; load sleeping (volatile)
     *                                      -&gt; true? wake
     * </pre>
     * The store-buffering outcome, where the reactor reads "empty" and the producer reads {@code sleeping == false},
     * is forbidden only if each side orders its store before its load. The reactor's accesses are volatile
     * (sequentially consistent). The producer's publication need not be: the inbox publishes its tail with a release
     * store, and a release store followed by a volatile load may be reordered (StoreLoad: x86 does it through its
     * store buffer). That was a real lost wake-up, which {@code InboxWakeupStress} catches on the old code. The full
     * fence (sequentially consistent) restores the order for every queue, whatever the queue does inside. On x86 the
     * close gate's {@code getAndAdd} after the offer (inbox, tasks) and the ring's CAS on its tail (messages) are
     * locked instructions that happen to order it too, but the argument does not rest on them: the memory model gives
     * a read-modify-write of another variable no fence semantics, and a release-only CAS (weaker hardware, another
     * queue) would not order it. So at least one side sees the other: either the reactor sees the entry and does not
     * block, or the producer sees {@code sleeping} and calls {@link Wakeup#wake()}, which makes the current or the
     * next select return at once.
     *
     * <p>While the reactor runs, {@code sleeping} is false and producers skip the wake-up (a syscall); the fence costs
     * one locked instruction (about 2 ns per message). A producer that sees the flag just after the reactor left its
     * select issues a spurious, harmless wake-up.
     */
    private volatile boolean sleeping;
    /** The graceful shutdown request: its deadline in ms, or -1. Written by the server thread. */
    private volatile long shutdownRequestMs = -1;
    /** Set once the reactor died of an error outside user code. */
    private volatile boolean dead;
    /**
     * The close gate of the inbox and the task queue (see {@link CloseGate}): producers pass it around their offer;
     * the reactor closes it, waits for the producers inside, then drains both queues ({@link #closeAndDrain}). Its
     * {@code closed} flag also turns senders of messages away (a hint: messages are not gated, see
     * {@link #sendMessage}).
     */
    private final CloseGate gate = new CloseGate();
    /** The reactor's selector, published by the reactor thread when it starts. */
    private volatile Selector selector;
    /** What wakes the parked reactor: {@code selector::wakeup}, published with the selector (a seam for tests). */
    private volatile Wakeup wakeup;

    /**
     * Creates the inbox, task queue and message ring of reactor {@code index}.
     *
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
        this.index = index;
        this.tasksRun = counters.counter(index, ReactorCounter.TASKS_RUN);
        this.handlerErrors = counters.counter(index, ReactorCounter.HANDLER_ERRORS);
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
     * @param handOff the accepted channel and its listener.
     * @return true: the reactor will register the channel, or close it if it is closing; false if the inbox is full
     * or the reactor has closed ({@link #isClosed()} tells which): the channel stays the caller's.
     */
    @AnyThread
    public boolean handOff(final HandOff handOff)
    {
        if (!gate.enter())
        {
            return false;
        }
        final boolean offered;
        try
        {
            offered = inbox.offer(handOff); // release: pairs with the acquire in inbox.drain/poll (reactor side)
        }
        finally
        {
            gate.exit();
        }
        if (!offered)
        {
            return false;
        }
        wakeIfParked();
        return true;
    }

    /**
     * Submits a task to run on the reactor thread.
     *
     * @param task what to run.
     * @return true: the task will run on the reactor thread, in a later duty cycle or when the reactor closes
     * ({@link #closeAndDrain}); false if the task queue is full or the reactor has closed: the task will never run.
     */
    @AnyThread
    public boolean execute(final Runnable task)
    {
        if (!gate.enter())
        {
            taskRejections.increment();
            return false;
        }
        final boolean offered;
        try
        {
            offered = tasks.offer(task); // release: pairs with the acquire in tasks.poll (pollTask, closeAndDrain)
        }
        finally
        {
            gate.exit();
        }
        if (!offered)
        {
            taskRejections.increment();
            return false;
        }
        wakeIfParked();
        return true;
    }

    /**
     * {@return the index of a registered service type, or -1. A small scan by identity}
     *
     * @param type a service type.
     */
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

    /** {@return the largest message payload the ring takes} */
    @AnyThread
    public int maxMessageLength()
    {
        return messages.maxMsgLength() - MESSAGE_HEADER_LENGTH;
    }

    /**
     * Copies a message into the ring (no allocation).
     *
     * <p>Messages are not behind the close gate of {@link #execute}: it would cost two more atomic read-modify-writes
     * per message, on a line every sender shares, and the reactor reads no messages once it closes (its services are
     * closed by then). So false means refused (never delivered), but true means delivered only if the reactor keeps
     * running: a message still in the ring when the reactor closes is dropped with the ring.
     *
     * @param sourceReactor the sending reactor's index.
     * @param serviceIndex  the receiving service ({@link #serviceIndex(Class)}).
     * @param msgTypeId     the application's message type, positive.
     * @param buffer        holds the message.
     * @param offset        where the message starts in {@code buffer}.
     * @param length        the message length in bytes.
     * @return false if the ring is full or the reactor has closed.
     */
    @AnyThread
    public boolean sendMessage(
        final int sourceReactor,
        final int serviceIndex,
        final int msgTypeId,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        final int claimIndex = gate.isClosed() ? -1 : messages.tryClaim(msgTypeId, length + MESSAGE_HEADER_LENGTH);
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

    /**
     * Asks for a graceful shutdown with a deadline of {@code deadlineMs} from when the reactor sees it.
     *
     * @param deadlineMs how long open connections get to finish; 0 aborts them at once.
     */
    @AnyThread
    public void requestShutdown(final long deadlineMs)
    {
        shutdownRequestMs = Math.max(0, deadlineMs); // volatile: read by the reactor each cycle and in prepareToPark
        wakeIfParked();
    }

    /** {@return connections on this reactor not yet closed, plus those waiting in its inbox (gauges, acquire)} */
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

    /** {@return channels waiting in the inbox} */
    @AnyThread
    public int inboxDepth()
    {
        return inbox.size();
    }

    /** {@return tasks waiting in the task queue} */
    @AnyThread
    public int taskQueueDepth()
    {
        return tasks.size();
    }

    /** {@return bytes waiting in the message ring} */
    @AnyThread
    public int messageRingBytes()
    {
        return messages.size();
    }

    /** {@return the reactor's selector once started, else null} */
    @AnyThread
    public Selector selector()
    {
        return selector;
    }

    /** The producer's half of the parking protocol, after it published (see {@link #sleeping}). */
    private void wakeIfParked()
    {
        VarHandle.fullFence(); // StoreLoad: pairs with the store of sleeping, then the queue loads, in prepareToPark
        if (sleeping) // volatile load: pairs with the volatile store in prepareToPark
        {
            final Wakeup w = wakeup; // volatile load: pairs with the volatile store in selector(Selector)
            if (w != null)
            {
                wakeups.increment();
                w.wake();
            }
        }
    }

    // Reactor side.

    /** Publishes the reactor's selector; producers wake it with {@link Selector#wakeup()} from then on. */
    @ReactorThread
    void selector(final Selector selector)
    {
        this.selector = selector; // volatile store: read by selector()
        this.wakeup = selector::wakeup; // volatile store: pairs with the volatile load in wakeIfParked
    }

    /** Replaces the wake-up action (tests count wake-ups with it; production uses {@link #selector(Selector)}). */
    void wakeup(final Wakeup wakeup)
    {
        this.wakeup = wakeup; // volatile store: pairs with the volatile load in wakeIfParked
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

    /** {@return the requested shutdown deadline in ms, or -1} */
    @ReactorThread
    long shutdownRequestMs()
    {
        return shutdownRequestMs;
    }

    /**
     * The reactor's half of the parking protocol: sets {@code sleeping}, then re-checks every queue (see
     * {@link #sleeping}).
     *
     * @param shutdownSeen true once the reactor acted on the shutdown request (it no longer keeps it awake).
     * @return true if the reactor may block; false if work arrived (the flag is cleared again).
     */
    @ReactorThread
    boolean prepareToPark(final boolean shutdownSeen)
    {
        sleeping = true; // volatile store, then the volatile loads below: pairs with the fence in wakeIfParked
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
        sleeping = false; // volatile store: producers skip the wake-up again
    }

    /**
     * Closes the gate and hands the reactor everything that got through it: from now on {@link #handOff} and
     * {@link #execute} return false (and {@link #sendMessage} too), and every channel and task they accepted before is
     * given to the handlers here, on the reactor thread, exactly once. Waits (spinning, then yielding) for producers
     * that are inside the gate to leave it: each is a few instructions from doing so ({@link CloseGate}).
     *
     * <p>A handler that throws is counted ({@link ReactorCounter#HANDLER_ERRORS}) and logged, and the rest still run;
     * the channel of a hand-off whose handler threw is closed. Tasks that the handlers submit here are refused.
     *
     * @param handOffHandler registers or closes each channel still in the inbox.
     * @param taskRunner     runs each task still in the task queue (counted in {@link ReactorCounter#TASKS_RUN}).
     * @return how many hand-offs and tasks were handed to the handlers.
     */
    @ReactorThread
    int closeAndDrain(final Consumer<HandOff> handOffHandler, final Consumer<Runnable> taskRunner)
    {
        gate.closeAndAwaitProducers();
        // Every producer that got through the gate has left it: its offer happens-before the polls below.
        int drained = 0;
        HandOff handOff;
        while ((handOff = inbox.poll()) != null) // acquire: pairs with the release in inbox.offer (handOff)
        {
            drained++;
            try
            {
                handOffHandler.accept(handOff);
            }
            catch (final Throwable ex) // whatever a handler throws, the rest of the close still runs
            {
                handlerErrors.setRelease(handlerErrors.getPlain() + 1); // single writer (reactor): readers acquire
                LOG.warn("reactor-{}: a hand-off failed while closing; closing its channel", index, ex);
                CloseHelper.quietClose(handOff.channel());
            }
        }
        Runnable task;
        int ran = 0;
        while ((task = tasks.poll()) != null) // acquire: pairs with the release in tasks.offer (execute)
        {
            ran++;
            try
            {
                taskRunner.accept(task);
            }
            catch (final Throwable ex) // user code: a task's Error must not strand the tasks after it
            {
                handlerErrors.setRelease(handlerErrors.getPlain() + 1); // single writer (reactor): readers acquire
                LOG.warn("reactor-{}: task threw while closing", index, ex);
            }
        }
        tasksRun.setRelease(tasksRun.getPlain() + ran); // single writer (reactor): readers acquire
        return drained + ran;
    }

    /** The reactor died of an error outside user code: placement skips it (its close then refuses producers). */
    @ReactorThread
    void markDead()
    {
        dead = true; // volatile: read by the acceptor's placement and Server.health()
    }

    /** {@return true once the reactor died of an error outside user code} */
    @AnyThread
    public boolean isDead()
    {
        return dead;
    }

    /** {@return true once the reactor has closed (stopped, failed to start or died): it takes no more work} */
    @AnyThread
    public boolean isClosed()
    {
        return gate.isClosed();
    }
}
