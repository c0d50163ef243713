package dev.codellm.server;

import io.javalin.http.Context;
import java.io.IOException;
import java.util.concurrent.CancellationException;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.AbstractEndPoint;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Invocable;

/**
 * Notices a client that closes its connection while its request is still being worked on, so the
 * generation can be cancelled and its slot freed at once.
 *
 * <p>Why this is needed: Jetty 12 does not read an HTTP/1.1 connection while a request is being
 * handled (a request's failure listeners fire only on a read or write), so a client that gives up
 * on a non-streaming completion would otherwise go unnoticed until its answer is written, and a
 * stream until its next chunk. The watch registers read interest on the connection's
 * {@link EndPoint} itself: the request body has been read in full by then, so the only things
 * that can arrive are end-of-stream (the client closed) or, rarely, a pipelined next request.
 * End-of-stream runs {@code onGone}. Bytes of a pipelined request cannot be handed back to Jetty's
 * parser, so the watch stops and the response is sent with {@code Connection: close} instead.
 *
 * <p>The watch must be {@link #stop() stopped} before the response is completed, because Jetty
 * registers its own read interest for the next request then (only one may be pending).
 * {@link HttpJson#writeNow} and {@link EventStream#close} do that, and the route wrapper does in its
 * {@code finally}. A client that only half-closes (shuts down its sending side but still reads)
 * looks like one that left; HTTP clients do not do that while waiting for an answer.
 */
final class ClientWatch {
    private static final String ATTRIBUTE = "codellm.clientWatch";

    private final Context ctx;
    private final EndPoint endPoint;
    private final Runnable onGone;
    private final Callback readable = Callback.from(Invocable.InvocationType.NON_BLOCKING, this::onReadable, this::onReadFailed);
    private boolean registered;
    private boolean stopped;
    private boolean pipelined;
    private volatile boolean gone;

    private ClientWatch(Context ctx, EndPoint endPoint, Runnable onGone) {
        this.ctx = ctx;
        this.endPoint = endPoint;
        this.onGone = onGone;
    }

    /**
     * Starts watching the connection of {@code ctx} (whose body must have been read); returns null
     * where it cannot (not HTTP/1 on a Jetty socket, or someone else is reading it), in which case a
     * disconnect is noticed at the next write as before.
     */
    static ClientWatch start(Context ctx, Runnable onGone) {
        EndPoint endPoint;
        try {
            var request = ServletContextRequest.getServletContextRequest(ctx.req());
            var meta = request.getConnectionMetaData();
            if (meta.getHttpVersion() != HttpVersion.HTTP_1_1 && meta.getHttpVersion() != HttpVersion.HTTP_1_0) return null;
            endPoint = meta.getConnection().getEndPoint();
        } catch (RuntimeException notJetty) {
            return null;
        }
        if (!(endPoint instanceof AbstractEndPoint)) return null;
        ClientWatch watch = new ClientWatch(ctx, endPoint, onGone);
        synchronized (watch) {
            if (!watch.register()) return null;
        }
        ctx.attribute(ATTRIBUTE, watch);
        return watch;
    }

    /** Stops the watch of this request, if any; idempotent. Call before completing the response. */
    static void stop(Context ctx) {
        if (ctx.attribute(ATTRIBUTE) instanceof ClientWatch w) w.stop();
    }

    /** True once the client has closed its connection. */
    boolean clientGone() {
        return gone;
    }

    synchronized void stop() {
        if (stopped) return;
        stopped = true;
        // Our callback is the one registered (Jetty itself does not read while the handler runs),
        // so failing the endpoint's fill interest removes exactly ours.
        if (registered) ((AbstractEndPoint) endPoint).getFillInterest().onFail(new CancellationException("response complete"));
        registered = false;
        if (pipelined) ctx.header("Connection", "close");
    }

    /** Caller holds the lock. */
    private boolean register() {
        registered = endPoint.tryFillInterested(readable);
        return registered;
    }

    private synchronized void onReadable() {

        registered = false;
        if (stopped) return;
        int n;
        try {
            n = endPoint.fill(BufferUtil.allocate(1)); // Jetty's fill appends after the limit: an empty buffer in flush mode
        } catch (IOException e) {
            n = -1;
        }
        if (n < 0) {
            clientLeft();
        } else if (n > 0) {
            pipelined = true; // a next request is already coming; it is lost, so the connection must close
        } else {
            register();
        }
    }

    private synchronized void onReadFailed(Throwable cause) {
        registered = false;
        if (!stopped) clientLeft(); // the endpoint closed or failed under us
    }

    private void clientLeft() {
        gone = true;
        onGone.run();
    }
}
