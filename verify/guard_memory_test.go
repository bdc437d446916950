package verify_test

import (
	"testing"

	"github.com/go-bsg/bsg2fa/verify"
	"github.com/go-bsg/bsg2fa/verify/internal/counterstest"
)

func TestMemoryCounters(t *testing.T) {
	counterstest.Run(t, func(*testing.T) verify.CounterStore { return verify.NewMemoryStore() })
}
