package dev.os2.kernel;

/**
 * Names a token that another token depends on: either a token the kernel already knows
 * ({@link TokenId}) or, inside one {@link KernelInput.SubmitTokens} batch, another member of the
 * batch by its index ({@link Batch}). Batch references are what make a dependency cycle possible,
 * so a batch whose references form a cycle is rejected as a whole.
 */
public sealed interface TokenRef permits TokenId, TokenRef.Batch {

    /** The {@code index}-th token (from 0) of the batch this reference appears in. */
    static Batch batch(int index) {
        return new Batch(index);
    }

    /**
     * A reference to a member of the same {@link KernelInput.SubmitTokens} batch.
     *
     * @param index position in the batch, from 0
     */
    record Batch(int index) implements TokenRef {
        /**
         * Validates the index.
         *
         * @throws InvalidInputException if {@code index} is negative
         */
        public Batch {
            if (index < 0) {
                throw new InvalidInputException(InvalidInputException.Reason.INVALID_VALUE,
                        "a batch index is 0 or more, got " + index);
            }
        }
    }
}
