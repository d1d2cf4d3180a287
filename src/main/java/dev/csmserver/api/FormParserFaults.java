package dev.csmserver.api;

import java.io.IOException;
import java.util.Optional;
import org.jboss.resteasy.reactive.server.core.multipart.MultipartParser;

/**
 * Tells a broken multipart body from a server fault among what Quarkus REST's multipart parser
 * throws, for {@link ProblemMapper}. Quarkus 3.33 throws plain types there: an {@code IOException}
 * ("Connection terminated parsing multipart request") when the closing boundary never comes, and a
 * {@code RuntimeException} ("Param limit of 1000 was exceeded") past {@code
 * quarkus.http.limits.max-form-attributes} parts (quarkusio/quarkus#54681; Quarkus answers 400
 * itself from #54698 on). Its own server faults (a temp file it cannot write) are wrapped, with a
 * cause. Bodies reach the parser whole ({@link BodyReadGuard} read them), so running out of bytes
 * is the client's broken body, never a dropped connection.
 */
final class FormParserFaults {
    private static final String PARSER_PACKAGE =
            "org.jboss.resteasy.reactive.server.core.multipart.";

    private FormParserFaults() {}

    /** What the client did wrong, when {@code e} is the parser refusing its form; else empty. */
    static Optional<String> brokenForm(Throwable e) {
        if (e instanceof MultipartParser.MalformedMessageException) {
            return Optional.of("malformed multipart body");
        }
        StackTraceElement[] at = e.getStackTrace();
        if (e.getCause() != null
                || at.length == 0
                || !at[0].getClassName().startsWith(PARSER_PACKAGE)) {
            return Optional.empty();
        }
        if (e instanceof IOException) {
            return Optional.of(
                    "malformed multipart body: it ends before the closing boundary (--<boundary>--)");
        }
        if (e.getClass() == RuntimeException.class) {
            return Optional.of("the form has too many parts (" + e.getMessage() + ")");
        }
        return Optional.empty();
    }
}
