package dev.coreloop.core.status;

import dev.coreloop.core.CloseReason;

/**
 * The per-reactor counters. Ids are stable (they are the counter type ids in the counters buffer and will be
 * the layout of the counters file, {@link CountersFile}); labels are for humans. Each has a {@link Kind}: most count
 * up, {@code STATE_*} and a few others are gauges, {@link #MAX_CYCLE_NS} and {@link #TIMER_LAG_MAX_NS} keep a maximum.
 *
 * <p>Each counter has one writer, named by {@link #writer()}: the owning reactor, the acceptor, or (for the
 * rejection counters of the cross-thread queues) any thread, which then uses an atomic add. Any thread may read.
 */
public enum ReactorCounter
{
    /** Connections accepted and registered. Writer: reactor. */
    ACCEPTED(0, "connections accepted and registered", Writer.REACTOR),
    /** Connections closed (any reason). Writer: reactor. */
    CLOSED(1, "connections closed (any reason)", Writer.REACTOR),
    /** Bytes read from sockets. Writer: reactor. */
    BYTES_READ(2, "bytes read from sockets", Writer.REACTOR),
    /** Bytes written to sockets. Writer: reactor. */
    BYTES_WRITTEN(3, "bytes written to sockets", Writer.REACTOR),
    /** Socket read calls. Writer: reactor. */
    READ_CALLS(4, "socket read calls", Writer.REACTOR),
    /** Socket write calls. Writer: reactor. */
    WRITE_CALLS(5, "socket write calls", Writer.REACTOR),
    /** Duty cycles. Writer: reactor. */
    LOOP_CYCLES(6, "duty cycles", Writer.REACTOR),
    /** Longest busy duty cycle (ns). Writer: reactor. */
    MAX_CYCLE_NS(7, "longest busy duty cycle (ns)", Writer.REACTOR, Kind.MAX),
    /** Tasks run from the task queue. Writer: reactor. */
    TASKS_RUN(8, "tasks run from the task queue", Writer.REACTOR),
    /** Messages read from the message ring. Writer: reactor. */
    MESSAGES_RECEIVED(9, "messages read from the message ring", Writer.REACTOR),
    /** Timer wheel expiries. Writer: reactor. */
    TIMERS_FIRED(10, "timer wheel expiries", Writer.REACTOR),
    /**
     * Accepted connections closed because no reactor could ever take them (every reactor dead or closed); a full inbox
     * only makes the acceptor hold the connection and pause accepting. Writer: the acceptor thread.
     */
    INBOX_REJECTIONS(11, "accepted connections closed because no reactor could take them (all dead or closed)",
        Writer.ACCEPTOR),
    /** Execute() calls refused because the task queue was full. Writer: any thread (atomic add). */
    TASK_QUEUE_REJECTIONS(12, "execute() calls refused because the task queue was full", Writer.ANY),
    /** SendMessage() calls refused because the message ring was full. Writer: any thread (atomic add). */
    MESSAGE_RING_REJECTIONS(13, "sendMessage() calls refused because the message ring was full", Writer.ANY),
    /** Accept back-offs after EMFILE/ENFILE. Writer: the acceptor thread (the owning reactor in REUSE_PORT mode). */
    EMFILE_BACKOFFS(14, "accept back-offs after EMFILE/ENFILE", Writer.ACCEPTOR),
    /** Illegal state transitions (bugs), each forced to CLOSED. Writer: reactor. */
    ILLEGAL_TRANSITIONS(15, "illegal state transitions (bugs), each forced to CLOSED", Writer.REACTOR),
    /** Exceptions thrown by handlers. Writer: reactor. */
    HANDLER_ERRORS(16, "exceptions thrown by handlers", Writer.REACTOR),
    /** Ring growths refused because the buffer pool was empty. Writer: reactor. */
    BUFFER_EXHAUSTED(17, "ring growths refused because the buffer pool was empty", Writer.REACTOR),
    /** Duty cycles that started far later than planned (stall). Writer: reactor. */
    STALLS(18, "duty cycles that started far later than planned (stall)", Writer.REACTOR),
    /** Selector wake-ups issued by producers. Writer: any thread (atomic add). */
    WAKEUPS(19, "selector wake-ups issued by producers", Writer.ANY),
    /** Connections now unwritable (backlog above the high watermark, or a write refused at the cap). Writer: reactor. */
    UNWRITABLE(20, "connections now unwritable (backlog above high watermark or a refused write)", Writer.REACTOR),
    /** Writes refused because the backlog would pass the outbound cap or the pool was empty. Writer: reactor. */
    WRITES_REFUSED(21, "writes refused at the outbound cap or for lack of pool memory", Writer.REACTOR),
    /** Callbacks deferred to run after the current callback returns (re-entrancy rule). Writer: reactor. */
    CALLBACKS_DEFERRED(22, "callbacks deferred until the current callback returned", Writer.REACTOR),
    /** 1 once the reactor's thread has died of an error outside user code; the server then places nothing on it. Writer: reactor. */
    DEAD(23, "1 once the reactor died of an error outside user code", Writer.REACTOR, Kind.GAUGE),
    /** Selector calls (selectNow in the I/O phase and the blocking select of a park). Writer: reactor. */
    POLL_CALLS(24, "selector calls (selectNow and blocking select)", Writer.REACTOR),
    /** Longest delay from a timer's deadline to its expiry (ns), tick resolution included. Writer: reactor. */
    TIMER_LAG_MAX_NS(25, "longest delay from a timer deadline to its expiry (ns)", Writer.REACTOR, Kind.MAX),
    /** Sum of the delays from timers' deadlines to their expiries (ns); divide by TIMERS_FIRED for the mean. Writer: reactor. */
    TIMER_LAG_TOTAL_NS(26, "sum of delays from timer deadlines to expiries (ns)", Writer.REACTOR),
    /** Channels waiting in the inbox, sampled by the reactor once per duty cycle. Writer: reactor. */
    INBOX_DEPTH(27, "channels waiting in the inbox (sampled each cycle)", Writer.REACTOR, Kind.GAUGE),
    /** Tasks waiting in the task queue, sampled by the reactor once per duty cycle. Writer: reactor. */
    TASK_QUEUE_DEPTH(28, "tasks waiting in the task queue (sampled each cycle)", Writer.REACTOR, Kind.GAUGE),
    /** Bytes waiting in the message ring, sampled by the reactor once per duty cycle. Writer: reactor. */
    MESSAGE_RING_BYTES(29, "bytes waiting in the message ring (sampled each cycle)", Writer.REACTOR, Kind.GAUGE),
    /** Wall-clock time (epoch ms) of the row's last heartbeat, about once a second. Writer: reactor (acceptor row: acceptor). */
    HEARTBEAT_MS(30, "wall-clock time (epoch ms) of the last heartbeat, about once a second", Writer.REACTOR, Kind.GAUGE),
    /** The reactor's pin status, a {@link PinState} code. Writer: reactor. */
    PIN_STATUS(31, "pin status (0 unpinned, 1 pinned, 2 mismatch, 3 failed, 4 lost while running)", Writer.REACTOR,
        Kind.GAUGE),
    /** Connections now in state HANDED_OFF. Writer: reactor. */
    STATE_HANDED_OFF(32, "connections now in state HANDED_OFF", Writer.REACTOR),
    /** Connections now in state CONNECTING. Writer: reactor. */
    STATE_CONNECTING(33, "connections now in state CONNECTING", Writer.REACTOR),
    /** Connections now in state ACTIVE. Writer: reactor. */
    STATE_ACTIVE(34, "connections now in state ACTIVE", Writer.REACTOR),
    /** Connections now in state INPUT_CLOSED. Writer: reactor. */
    STATE_INPUT_CLOSED(35, "connections now in state INPUT_CLOSED", Writer.REACTOR),
    /** Connections now in state OUTPUT_SHUTDOWN. Writer: reactor. */
    STATE_OUTPUT_SHUTDOWN(36, "connections now in state OUTPUT_SHUTDOWN", Writer.REACTOR),
    /** Connections now in state DRAINING. Writer: reactor. */
    STATE_DRAINING(37, "connections now in state DRAINING", Writer.REACTOR),
    /** Connections now in state FLUSHING. Writer: reactor. */
    STATE_FLUSHING(38, "connections now in state FLUSHING", Writer.REACTOR),
    /** Connections now in state LINGERING. Writer: reactor. */
    STATE_LINGERING(39, "connections now in state LINGERING", Writer.REACTOR),
    /** Connections now in state CLOSED. Writer: reactor. */
    STATE_CLOSED(40, "always 0: a closed connection leaves its reactor at once", Writer.REACTOR),
    /** Connections closed with reason NONE. Writer: reactor. */
    CLOSE_NONE(48, "connections closed with reason NONE", Writer.REACTOR),
    /** Connections closed with reason LOCAL_CLOSE. Writer: reactor. */
    CLOSE_LOCAL_CLOSE(49, "connections closed with reason LOCAL_CLOSE", Writer.REACTOR),
    /** Connections closed with reason PEER_CLOSED. Writer: reactor. */
    CLOSE_PEER_CLOSED(50, "connections closed with reason PEER_CLOSED", Writer.REACTOR),
    /** Connections closed with reason PEER_RESET. Writer: reactor. */
    CLOSE_PEER_RESET(51, "connections closed with reason PEER_RESET", Writer.REACTOR),
    /** Connections closed with reason IDLE_TIMEOUT. Writer: reactor. */
    CLOSE_IDLE_TIMEOUT(52, "connections closed with reason IDLE_TIMEOUT", Writer.REACTOR),
    /** Connections closed with reason WRITE_STALL_TIMEOUT. Writer: reactor. */
    CLOSE_WRITE_STALL_TIMEOUT(53, "connections closed with reason WRITE_STALL_TIMEOUT", Writer.REACTOR),
    /** Connections closed with reason PROTOCOL_ERROR. Writer: reactor. */
    CLOSE_PROTOCOL_ERROR(54, "connections closed with reason PROTOCOL_ERROR", Writer.REACTOR),
    /** Connections closed with reason DRAIN_TIMEOUT. Writer: reactor. */
    CLOSE_DRAIN_TIMEOUT(55, "connections closed with reason DRAIN_TIMEOUT", Writer.REACTOR),
    /** Connections closed with reason ABORTED. Writer: reactor. */
    CLOSE_ABORTED(56, "connections closed with reason ABORTED", Writer.REACTOR),
    /** Connections closed with reason SERVER_SHUTDOWN. Writer: reactor. */
    CLOSE_SERVER_SHUTDOWN(57, "connections closed with reason SERVER_SHUTDOWN", Writer.REACTOR),
    /** Connections closed with reason HANDLER_ERROR. Writer: reactor. */
    CLOSE_HANDLER_ERROR(58, "connections closed with reason HANDLER_ERROR", Writer.REACTOR),
    /** Connections closed with reason IO_ERROR. Writer: reactor. */
    CLOSE_IO_ERROR(59, "connections closed with reason IO_ERROR", Writer.REACTOR),
    /** Connections closed with reason INBOUND_OVERFLOW. Writer: reactor. */
    CLOSE_INBOUND_OVERFLOW(60, "connections closed with reason INBOUND_OVERFLOW", Writer.REACTOR),
    /** Connections closed with reason CONNECT_FAILED. Writer: reactor. */
    CLOSE_CONNECT_FAILED(61, "connections closed with reason CONNECT_FAILED", Writer.REACTOR),
    /** Connections closed with reason CONNECT_TIMEOUT. Writer: reactor. */
    CLOSE_CONNECT_TIMEOUT(62, "connections closed with reason CONNECT_TIMEOUT", Writer.REACTOR),
    /** Connections closed with reason REJECTED. Writer: reactor. */
    CLOSE_REJECTED(63, "connections closed with reason REJECTED", Writer.REACTOR),
    /** Connections closed with reason ILLEGAL_TRANSITION. Writer: reactor. */
    CLOSE_ILLEGAL_TRANSITION(64, "connections closed with reason ILLEGAL_TRANSITION", Writer.REACTOR),
    /** Connections closed with reason REACTOR_FAILED. Writer: reactor. */
    CLOSE_REACTOR_FAILED(65, "connections closed with reason REACTOR_FAILED", Writer.REACTOR),
    /** The CPU the reactor ran on at its latest sample (about once a second), or -1 when unknown. Writer: reactor. */
    CURRENT_CPU(66, "CPU the thread ran on at the latest sample (-1 unknown)", Writer.REACTOR, Kind.GAUGE),
    /** The CPU the plan gives the reactor when it is exactly one, else -1. Writer: reactor. */
    PLANNED_CPU(67, "CPU the plan gives the thread (-1 none or several)", Writer.REACTOR, Kind.GAUGE),
    /** Samples that found the thread on another CPU than the previous sample. Writer: reactor. */
    CPU_MIGRATIONS(68, "samples that found the thread on another CPU than the sample before", Writer.REACTOR),
    /** Samples that found the thread's allowed CPU set changed from the one it had (a lost pin). Writer: reactor. */
    PIN_CHANGES(69, "samples that found the allowed CPU set changed (pin lost)", Writer.REACTOR),
    /** Lost pins put back by the reactor (strict mode re-applies the plan). Writer: reactor. */
    PIN_RESTORES(70, "lost pins re-applied (strict mode)", Writer.REACTOR),
    /** Connections still open at the shutdown deadline, aborted then (the others drained). Writer: reactor. */
    SHUTDOWN_ABORTED(71, "connections still open at the shutdown deadline, aborted", Writer.REACTOR),
    /** Connections the acceptor thread accepted (its own row only; each is then counted ACCEPTED by its reactor). Writer: acceptor. */
    ACCEPTOR_ACCEPTED(72, "connections the acceptor thread accepted", Writer.ACCEPTOR),
    /**
     * Times every live reactor's inbox was full, so the acceptor held the connection in hand and stopped accepting
     * until one had room (new connections waited in the listen queue). Its own row only. Writer: acceptor.
     */
    ACCEPT_HOLDS(73, "times every reactor inbox was full and the acceptor held accepting", Writer.ACCEPTOR);

    /** Who writes a counter. */
    public enum Writer
    {
        /** Only the owning reactor thread (plain read-modify-write, release store). */
        REACTOR,
        /** Only the acceptor thread (or, in REUSE_PORT mode, the owning reactor). */
        ACCEPTOR,
        /** Any thread, with an atomic add. */
        ANY
    }

    /** How a counter's value moves, which says how to show it (a rate, a level or a high-water mark). */
    public enum Kind
    {
        /** Only counts up: show it as a rate. */
        COUNT,
        /** Goes up and down (a level, a state, a time): show the value. */
        GAUGE,
        /** The largest value seen so far: show the value; its total over rows is the maximum. */
        MAX
    }

    /** One more than the largest id. */
    public static final int ID_LIMIT = 74;

    private static final ReactorCounter[] VALUES = values();
    private static final ReactorCounter[] BY_ID = new ReactorCounter[ID_LIMIT];

    static
    {
        for (final ReactorCounter counter : VALUES)
        {
            if (BY_ID[counter.id] != null)
            {
                throw new IllegalStateException("duplicate counter id " + counter.id);
            }
            BY_ID[counter.id] = counter;
        }
    }

    private final int id;
    private final String label;
    private final Writer writer;
    private final Kind kind;

    ReactorCounter(final int id, final String label, final Writer writer)
    {
        this(id, label, writer, null);
    }

    ReactorCounter(final int id, final String label, final Writer writer, final Kind kind)
    {
        this.id = id;
        this.label = label;
        this.writer = writer;
        this.kind = kind != null ? kind : name().startsWith("STATE_") ? Kind.GAUGE : Kind.COUNT;
    }

    /** {@return the stable id} */
    public int id()
    {
        return id;
    }

    /** {@return the human-readable label} */
    public String label()
    {
        return label;
    }

    /** {@return which thread writes it} */
    public Writer writer()
    {
        return writer;
    }

    /** {@return how its value moves} */
    public Kind kind()
    {
        return kind;
    }

    /**
     * {@return true for the counters the acceptor thread writes on its own row ({@link #ACCEPTOR_ACCEPTED},
     * {@link #ACCEPT_HOLDS}, {@link #EMFILE_BACKOFFS}, {@link #HEARTBEAT_MS}); the other counters of that row stay 0}
     */
    public boolean onAcceptorRow()
    {
        return acceptorOnly() || this == EMFILE_BACKOFFS || this == HEARTBEAT_MS;
    }

    /** {@return true for the counters that exist on the acceptor's row only; they stay 0 on every reactor's row} */
    public boolean acceptorOnly()
    {
        return this == ACCEPTOR_ACCEPTED || this == ACCEPT_HOLDS;
    }

    /** {@return every counter, in declaration order (a shared array: do not modify)} */
    static ReactorCounter[] all()
    {
        return VALUES;
    }

    /**
     * {@return the counter with this id, or null if none has it}
     *
     * @param id a stable id, as {@link #id()} returns it.
     */
    public static ReactorCounter fromId(final int id)
    {
        return id >= 0 && id < ID_LIMIT ? BY_ID[id] : null;
    }

    /**
     * {@return the gauge counting connections in {@code state}}
     *
     * @param state a connection state.
     */
    public static ReactorCounter forState(final dev.coreloop.core.conn.ConnState state)
    {
        return BY_ID[STATE_HANDED_OFF.id + state.code()];
    }

    /**
     * {@return the counter of closes with {@code reason}}
     *
     * @param reason a close reason.
     */
    public static ReactorCounter forCloseReason(final CloseReason reason)
    {
        return BY_ID[CLOSE_NONE.id + reason.code()];
    }
}
