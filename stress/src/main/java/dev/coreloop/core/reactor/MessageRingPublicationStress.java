package dev.coreloop.core.reactor;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * A reactor reads its ring while another sends it a message: a message it reads must be whole. The sender writes
 * the header and payload with plain stores, then commits with a release store of the record length; the reader loads
 * the length with acquire and only then the bytes. A missing release or acquire shows as a torn message.
 *
 * <p>Result: (messages read: 0 or 1, a bit mask of the wrong parts of the message read: 1 type id, 2 service index,
 * 4 source reactor, 8 length, 16 first payload word, 32 second payload word; -1 if none was read).
 *
 * <p><b>Threading:</b> actor 1 is the sending reactor, actor 2 the receiving one.
 */
@JCStressTest
@Description("ReactorProxy.sendMessage vs readMessages: a message read is whole")
@Outcome(id = "0, -1", expect = ACCEPTABLE, desc = "The message was not committed yet: nothing read.")
@Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "The whole message read.")
@Outcome(id = "1, .*", expect = FORBIDDEN, desc = "A torn message: some bytes read before they were written.")
@Outcome(expect = FORBIDDEN, desc = "Another impossible state.")
@State
public class MessageRingPublicationStress implements MessageHandler
{
    private final ReactorProxy proxy = StressProxies.newProxy();
    /** Set by the reading actor only, in onMessage. */
    private int wrongParts = -1;

    /** The sending reactor. */
    @Actor
    public void sender()
    {
        proxy.sendMessage(StressProxies.SOURCE_REACTOR, StressProxies.SERVICE_INDEX, StressProxies.MSG_TYPE_ID,
            StressProxies.PAYLOAD, 0, StressProxies.PAYLOAD_LENGTH);
    }

    /** The receiving reactor: one read pass. */
    @Actor
    public void reader(final II_Result r)
    {
        r.r1 = proxy.readMessages(this, 1);
        r.r2 = wrongParts;
    }

    @Override
    public void onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        int wrong = 0;
        wrong |= msgTypeId == StressProxies.MSG_TYPE_ID ? 0 : 1;
        wrong |= buffer.getInt(index) == StressProxies.SERVICE_INDEX ? 0 : 2;
        wrong |= buffer.getInt(index + 4) == StressProxies.SOURCE_REACTOR ? 0 : 4;
        wrong |= length == ReactorProxy.MESSAGE_HEADER_LENGTH + StressProxies.PAYLOAD_LENGTH ? 0 : 8;
        final int payload = index + ReactorProxy.MESSAGE_HEADER_LENGTH;
        wrong |= buffer.getLong(payload) == StressProxies.PAYLOAD_0 ? 0 : 16;
        wrong |= buffer.getLong(payload + 8) == StressProxies.PAYLOAD_1 ? 0 : 32;
        wrongParts = wrong;
    }
}
