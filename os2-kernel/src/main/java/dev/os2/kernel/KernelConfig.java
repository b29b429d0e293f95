package dev.os2.kernel;

import dev.os2.ledger.CanonicalJson;
import dev.os2.ledger.CanonicalWriter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * How a kernel is built: its seed, its limits, its policy and the capabilities it starts with.
 * Immutable; built by {@link #builder()}, which validates everything once. Reads no system
 * properties or environment. One configuration may build many kernels.
 *
 * @param seed the seed handlers' random sources derive from ({@link HandlerContext#random()})
 * @param queueCapacity most inputs waiting in the sequencer; {@link Kernel#offer} answers
 *     {@code queue_full} beyond it
 * @param maxPayloadBytes largest JSON value (token arguments, handler results, custom event data,
 *     capability configuration and scope) in canonical UTF-8 bytes; keep it at least 4 KiB below
 *     the ledger's payload limit, since events carry these values with a few fields around them
 * @param maxLiveTokens most tokens waiting, ready or running at once; more are rejected with {@code capacity}
 * @param maxDependencies most dependencies of one token
 * @param maxBatchTokens most tokens in one {@link KernelInput.SubmitTokens}
 * @param maxInvocationDepth most nested invocations below a token's own ({@link HandlerContext#invoke})
 * @param maxDeriveDepth most derivations between a root grant and a derived one
 * @param maxActionsPerInvocation most actions (charges, emits, invokes, checkpoint requests) one
 *     invocation may make; the next one halts the token with {@code resource_budget_exceeded}
 *     (resource {@code actions}), which bounds what a looping handler can write to the ledger
 * @param limits the resource policy ({@code CapabilityLimits.toml})
 * @param capabilities capabilities registered when a kernel is created, in order
 */
public record KernelConfig(long seed, int queueCapacity, int maxPayloadBytes, int maxLiveTokens, int maxDependencies,
        int maxBatchTokens, int maxInvocationDepth, int maxDeriveDepth, int maxActionsPerInvocation,
        CapabilityLimits limits, List<KernelInput.RegisterCapability> capabilities) {

    /**
     * Validates the configuration.
     *
     * @throws InvalidInputException if a limit is out of range or two capabilities share an id
     * @throws NullPointerException if limits or capabilities is null
     */
    public KernelConfig {
        range("queueCapacity", queueCapacity, 1, 1 << 24);
        range("maxPayloadBytes", maxPayloadBytes, 64, 1 << 26);
        range("maxLiveTokens", maxLiveTokens, 1, Integer.MAX_VALUE);
        range("maxDependencies", maxDependencies, 0, 1 << 16);
        range("maxBatchTokens", maxBatchTokens, 1, 1 << 16);
        range("maxInvocationDepth", maxInvocationDepth, 0, 64);
        range("maxDeriveDepth", maxDeriveDepth, 0, 64);
        range("maxActionsPerInvocation", maxActionsPerInvocation, 1, Integer.MAX_VALUE);
        Objects.requireNonNull(limits, "limits");
        capabilities = List.copyOf(capabilities);
        Set<String> ids = new HashSet<>();
        for (KernelInput.RegisterCapability r : capabilities) {
            if (!ids.add(r.descriptor().id())) {
                throw new InvalidInputException(InvalidInputException.Reason.DUPLICATE_CAPABILITY,
                        "capability " + r.descriptor().id() + " is configured twice");
            }
            if (r.descriptor().configuration().utf8Length() > maxPayloadBytes) {
                throw new InvalidInputException(InvalidInputException.Reason.PAYLOAD_TOO_LARGE,
                        "the configuration of " + r.descriptor().id() + " is larger than maxPayloadBytes " + maxPayloadBytes);
            }
        }
    }

    private static void range(String name, int value, int min, int max) {
        if (value < min || value > max) {
            throw Names.invalid(name + " must be between " + min + " and " + max + ", got " + value);
        }
    }

    /** A builder with the defaults: seed 0, queue 4096, payload 64 KiB, 1,000,000 live tokens, 64 dependencies,
     * batches of 1024, invocation and derivation depth 8, 100,000 actions per invocation, no policy limits. */
    public static Builder builder() {
        return new Builder();
    }

    /** The defaults with no capabilities. */
    public static KernelConfig defaults() {
        return builder().build();
    }

    /**
     * The payload of the ledger's {@code kernel_started} record: the settings that shape recorded
     * behaviour and the event format, written with {@code w} (reset) in canonical member order.
     */
    CanonicalJson toJson(CanonicalWriter w, int format) {
        w.reset().beginObject();
        w.name("format").value(format);
        w.name("limits");
        limits.writeTo(w);
        w.name("max_actions_per_invocation").value(maxActionsPerInvocation);
        w.name("max_batch_tokens").value(maxBatchTokens);
        w.name("max_dependencies").value(maxDependencies);
        w.name("max_derive_depth").value(maxDeriveDepth);
        w.name("max_invocation_depth").value(maxInvocationDepth);
        w.name("max_live_tokens").value(maxLiveTokens);
        w.name("max_payload_bytes").value(maxPayloadBytes);
        w.name("seed").value(Long.toString(seed));
        return w.endObject().toCanonicalJson();
    }

    /** Builds a {@link KernelConfig}; not thread-safe. */
    public static final class Builder {
        private long seed;
        private int queueCapacity = 4096;
        private int maxPayloadBytes = 64 * 1024;
        private int maxLiveTokens = 1_000_000;
        private int maxDependencies = 64;
        private int maxBatchTokens = 1024;
        private int maxInvocationDepth = 8;
        private int maxDeriveDepth = 8;
        private int maxActionsPerInvocation = 100_000;
        private CapabilityLimits limits = CapabilityLimits.NONE;
        private final List<KernelInput.RegisterCapability> capabilities = new ArrayList<>();

        private Builder() {
        }

        /** Sets the seed. */
        public Builder seed(long value) {
            seed = value;
            return this;
        }

        /** Sets the sequencer capacity. */
        public Builder queueCapacity(int value) {
            queueCapacity = value;
            return this;
        }

        /** Sets the largest JSON value, in bytes. */
        public Builder maxPayloadBytes(int value) {
            maxPayloadBytes = value;
            return this;
        }

        /** Sets the most live tokens. */
        public Builder maxLiveTokens(int value) {
            maxLiveTokens = value;
            return this;
        }

        /** Sets the most dependencies per token. */
        public Builder maxDependencies(int value) {
            maxDependencies = value;
            return this;
        }

        /** Sets the most tokens per batch. */
        public Builder maxBatchTokens(int value) {
            maxBatchTokens = value;
            return this;
        }

        /** Sets the deepest nesting of invocations. */
        public Builder maxInvocationDepth(int value) {
            maxInvocationDepth = value;
            return this;
        }

        /** Sets the longest chain of derivations. */
        public Builder maxDeriveDepth(int value) {
            maxDeriveDepth = value;
            return this;
        }

        /** Sets the most actions per invocation. */
        public Builder maxActionsPerInvocation(int value) {
            maxActionsPerInvocation = value;
            return this;
        }

        /** Sets the resource policy. */
        public Builder limits(CapabilityLimits value) {
            limits = value;
            return this;
        }

        /** Adds a capability registered when the kernel is created. */
        public Builder capability(CapabilityDescriptor descriptor, CapabilityHandler handler) {
            capabilities.add(new KernelInput.RegisterCapability(descriptor, handler));
            return this;
        }

        /**
         * Builds and validates the configuration.
         *
         * @throws InvalidInputException if a value is out of range
         */
        public KernelConfig build() {
            return new KernelConfig(seed, queueCapacity, maxPayloadBytes, maxLiveTokens, maxDependencies, maxBatchTokens,
                    maxInvocationDepth, maxDeriveDepth, maxActionsPerInvocation, limits, capabilities);
        }
    }
}
