package coop.bulwark.proxy;

import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * A posted challenge answer ({@link Decision.ReadAnswer}) being read: collects its body up to the chain's limit, then
 * asks the {@link DecisionChain} for the response and has the connection write it. Event-loop confined.
 */
final class AnswerExchange implements Exchange {
    private final ProxyHandler owner;
    private final DecisionChain chain;
    private final Decision.ReadAnswer decision;
    private final RequestLog log;
    private final ChallengeResponses.AnswerBody body;
    private boolean complete;
    private boolean done;

    AnswerExchange(ProxyHandler owner, DecisionChain chain, Decision.ReadAnswer decision, RequestLog log) {
        this.owner = owner;
        this.chain = chain;
        this.decision = decision;
        this.log = log;
        this.body = new ChallengeResponses.AnswerBody(decision.maxBytes());
    }

    @Override
    public void onClientContent(HttpContent content) {
        if (done) {
            content.release();
            return;
        }
        boolean last = content instanceof LastHttpContent;
        body.add(content);
        if (last) {
            complete = true;
            done = true;
            owner.answer(chain.answer(decision, body.text(), body.tooLarge(), log), log);
            owner.exchangeDone(this, true);
        }
    }

    @Override
    public boolean requestComplete() {
        return complete;
    }

    @Override
    public boolean isDone() {
        return done;
    }

    @Override
    public void onMalformedBody() {
        if (!done) {
            done = true;
            owner.answer(new Decision.Refuse(400, "malformed request body", true, 0), log);
            owner.exchangeDone(this, false);
        }
    }

    @Override
    public void onClientClosed() {
        if (!done) {
            done = true;
            log.complete(499, 0, owner.nanoTime());
        }
    }
}
