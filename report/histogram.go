package report

import (
	"math"
	"math/bits"
	"time"
)

// The histogram of durations in whole seconds (the service's timestamps have no finer
// resolution): one bucket per second below exactBelow, then subBuckets buckets per power of
// two, so a quantile is within half a bucket (1/32) of the true value whatever the spread,
// in a fixed 1.8 KiB per row (allocated on its first value) instead of a list of every value.
const (
	exactBelow = 32 // 2^exactBits
	exactBits  = 5
	subBits    = 4
	subBuckets = 1 << subBits
	maxExp     = 30 // 2^31 s (68 years) is beyond any period: larger values share the last bucket
	numBuckets = exactBelow + (maxExp-exactBits+1)*subBuckets
)

type histogram struct {
	counts [numBuckets]uint32
	n      int
}

// bucketOf is the index of the bucket that holds sec seconds.
func bucketOf(sec int64) int {
	if sec < exactBelow {
		return int(max(sec, 0))
	}
	e := bits.Len64(uint64(sec)) - 1
	if e > maxExp {
		return numBuckets - 1
	}
	sub := int(sec>>(e-subBits)) & (subBuckets - 1)
	return exactBelow + (e-exactBits)*subBuckets + sub
}

// bucketRange is the half-open range [lo, hi) of seconds that bucket i holds.
func bucketRange(i int) (lo, hi int64) {
	if i < exactBelow {
		return int64(i), int64(i) + 1
	}
	i -= exactBelow
	e, sub := i/subBuckets+exactBits, i%subBuckets
	width := int64(1) << (e - subBits)
	lo = int64(subBuckets+sub) * width
	return lo, lo + width
}

func (h *histogram) add(sec int64) {
	i := bucketOf(sec)
	if h.counts[i] < math.MaxUint32 {
		h.counts[i]++
	}
	h.n++
}

// quantile is the nearest-rank q-quantile: the value of the smallest bucket holding at least
// ⌈q·n⌉ values, exact below exactBelow and the middle of the bucket above.
func (h *histogram) quantile(q float64) time.Duration {
	if h == nil || h.n == 0 {
		return 0
	}
	rank := max(int64(math.Ceil(q*float64(h.n))), 1)
	var seen int64
	for i, c := range h.counts {
		seen += int64(c)
		if seen >= rank {
			lo, hi := bucketRange(i)
			if hi-lo == 1 {
				return time.Duration(lo) * time.Second
			}
			return time.Duration(lo+(hi-lo)/2) * time.Second
		}
	}
	return 0 // unreachable: the counts add up to n
}

func (h *histogram) durations() Durations {
	if h == nil {
		return Durations{}
	}
	return Durations{Count: h.n, P50: h.quantile(0.5), P90: h.quantile(0.9)}
}
