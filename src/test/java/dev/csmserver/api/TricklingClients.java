package dev.csmserver.api;

import io.restassured.RestAssured;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A slow-body attack: raw HTTP/1.1 connections that each declare a JSON body and then send it one
 * byte about every second, as the attack in issue 16 did (it used 300 connections and a byte every
 * 5 s). One background thread feeds them all; a connection counts as ended when the server answers
 * (its status is kept), closes it, or resets it. Raw sockets, because every HTTP client library
 * sends the body as fast as it can.
 */
final class TricklingClients implements AutoCloseable {
    private static final Duration TICK = Duration.ofSeconds(1);

    /** One connection: its socket and, once ended, the status the server answered (0 if none). */
    private static final class Conn {
        final Socket socket;
        volatile boolean ended;
        volatile int status;

        Conn(Socket socket) {
            this.socket = socket;
        }
    }

    private final List<Conn> conns = new ArrayList<>();
    private final Thread feeder;
    private volatile boolean closing;

    private TricklingClients(String path, int count, int declaredBytes) throws IOException {
        URI base = URI.create(RestAssured.baseURI);
        String head =
                "POST "
                        + path
                        + " HTTP/1.1\r\nHost: "
                        + base.getHost()
                        + ":"
                        + RestAssured.port
                        + "\r\nContent-Type: application/json\r\nContent-Length: "
                        + declaredBytes
                        + "\r\n\r\n{";
        for (int i = 0; i < count; i++) {
            Socket s = new Socket(base.getHost(), RestAssured.port);
            s.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            conns.add(new Conn(s));
        }
        feeder = new Thread(this::feed, "trickling-clients");
        feeder.setDaemon(true);
        feeder.start();
    }

    /**
     * Opens {@code count} connections to {@code path} that declare {@code declaredBytes} and
     * trickle.
     */
    static TricklingClients start(String path, int count, int declaredBytes) throws IOException {
        return new TricklingClients(path, count, declaredBytes);
    }

    /** Waits until every connection has ended or {@code limit} passed; returns those still open. */
    int awaitAllEnded(Duration limit) throws InterruptedException {
        long end = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < end && open() > 0) {
            Thread.sleep(200);
        }
        return open();
    }

    /** Connections the server has not ended yet. */
    int open() {
        return (int) conns.stream().filter(c -> !c.ended).count();
    }

    /** How many connections the server answered with {@code status}. */
    int answered(int status) {
        return (int) conns.stream().filter(c -> c.ended && c.status == status).count();
    }

    private void feed() {
        while (!closing && open() > 0) {
            for (Conn c : conns) {
                if (!c.ended && !closing) {
                    poll(c);
                }
            }
            try {
                Thread.sleep(TICK.toMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Reads the server's answer if one came, else sends one more byte of the body. */
    private static void poll(Conn c) {
        try {
            c.socket.setSoTimeout(1);
            InputStream in = c.socket.getInputStream();
            int first;
            try {
                first = in.read();
            } catch (SocketTimeoutException nothingYet) {
                c.socket.getOutputStream().write(' ');
                c.socket.getOutputStream().flush();
                return;
            }
            if (first >= 0) {
                c.status = status(first, in);
            }
            c.ended = true;
        } catch (IOException reset) {
            c.ended = true;
        }
    }

    /** The status code of the response that starts with byte {@code first}. */
    private static int status(int first, InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        line.write(first);
        try {
            for (int b = in.read(); b >= 0 && b != '\n' && line.size() < 200; b = in.read()) {
                line.write(b);
            }
        } catch (SocketTimeoutException partial) {
            // the status line arrived in pieces; parse what is there
        }
        String[] parts = line.toString(StandardCharsets.US_ASCII).split(" ");
        return parts.length > 1 && parts[1].matches("\\d{3}") ? Integer.parseInt(parts[1]) : 0;
    }

    @Override
    public void close() throws InterruptedException {
        closing = true;
        feeder.join(TICK.toMillis() * 5);
        for (Conn c : conns) {
            try {
                c.socket.close();
            } catch (IOException ignored) {
                // already gone
            }
        }
    }
}
