package dev.os2.shell.python;

import java.util.Objects;

/** The kernel's answer to one {@link CapabilityGateway#invoke} call. */
public sealed interface GatewayReply {

    /**
     * The capability ran.
     *
     * @param resultJson its result as one JSON value (decoded for the script with {@code json.loads})
     */
    record Allowed(String resultJson) implements GatewayReply {
        /**
         * Validates the fields.
         *
         * @throws NullPointerException if {@code resultJson} is null
         */
        public Allowed {
            Objects.requireNonNull(resultJson, "resultJson");
        }
    }

    /**
     * The kernel refused the call; the script gets {@code os2.CapabilityDenied(reason)}, a
     * {@code PermissionError}.
     *
     * @param reason what was refused and why, shown to the script's author
     */
    record Denied(String reason) implements GatewayReply {
        /**
         * Validates the fields.
         *
         * @throws NullPointerException if {@code reason} is null
         */
        public Denied {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * The kernel let the call through, and the capability's handler failed; the script gets
     * {@code os2.InvocationFailed(reason)}, a {@code RuntimeError}, and goes on.
     *
     * @param reason what failed, shown to the script's author
     */
    record Failed(String reason) implements GatewayReply {
        /**
         * Validates the fields.
         *
         * @throws NullPointerException if {@code reason} is null
         */
        public Failed {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
