package dev.duplex.cluster;

import org.junit.jupiter.api.Test;

import static dev.duplex.cluster.SequenceTracker.Verdict.DELIVER;
import static dev.duplex.cluster.SequenceTracker.Verdict.DUPLICATE;
import static org.assertj.core.api.Assertions.assertThat;

class SequenceTrackerTest {
    private final SequenceTracker tracker = new SequenceTracker();
    private final long[] gap = new long[1];

    @Test
    void theFirstMessageOfANodeOnAChannelIsTheBaselineNotAGap() {
        assertThat(tracker.accept("room:a", "n1", 57, gap)).isEqualTo(DELIVER);
        assertThat(gap[0]).isZero();
    }

    @Test
    void aRepeatIsADuplicateAndAJumpIsCountedExactly() {
        tracker.accept("room:a", "n1", 1, gap);
        assertThat(tracker.accept("room:a", "n1", 2, gap)).isEqualTo(DELIVER);
        assertThat(tracker.accept("room:a", "n1", 2, gap)).isEqualTo(DUPLICATE);
        assertThat(tracker.accept("room:a", "n1", 1, gap)).isEqualTo(DUPLICATE);
        assertThat(tracker.accept("room:a", "n1", 10, gap)).isEqualTo(DELIVER);
        assertThat(gap[0]).isEqualTo(7);
        assertThat(tracker.accept("room:a", "n1", 11, gap)).isEqualTo(DELIVER);
        assertThat(gap[0]).isZero();
    }

    @Test
    void channelsAndNodesAreCountedApartAndForgettingStartsANewBaseline() {
        tracker.accept("room:a", "n1", 5, gap);
        tracker.accept("room:b", "n1", 1, gap);
        tracker.accept("room:a", "n2", 1, gap);
        assertThat(tracker.accept("room:a", "n2", 2, gap)).isEqualTo(DELIVER);
        assertThat(gap[0]).isZero();
        tracker.forget("room:a");
        assertThat(tracker.accept("room:a", "n1", 50, gap)).isEqualTo(DELIVER);
        assertThat(gap[0]).as("unsubscribed in between: not a loss").isZero();
        tracker.forgetNode("n1");
        assertThat(tracker.accept("room:b", "n1", 9, gap)).isEqualTo(DELIVER);
        assertThat(gap[0]).isZero();
    }
}
