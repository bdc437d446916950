package sandbox

import (
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-bsg/bsg2fa/internal/testkit"
)

// TestMemoryFlatWithMixedLifetimes: lifetimes from 30 s to 300 s arrive in a random order,
// a third of the sessions are verified, the rest left to expire. Once the bounds are filled
// the sessions held stay within max + pending and the heap stops growing.
func TestMemoryFlatWithMixedLifetimes(t *testing.T) {
	sends := 40_000
	if raceEnabled() {
		sends = 16_000
	}
	const maxSessions = 500
	const step = 100 * time.Millisecond
	clock := testkit.NewClock()
	s := New(WithClock(clock.Now), WithMaxSessions(maxSessions))
	bearer := loginTo(t, s)
	rng := rand.New(rand.NewPCG(3, 4))
	var heaps []uint64
	for i := 1; i <= sends; i++ {
		body := strings.Replace(boundsSend, `"code_lifetime":30`, `"code_lifetime":`+strconv.Itoa(30+rng.IntN(271)), 1)
		status, out := call(t, s, bearer, http.MethodPost, hostileSendPath, body)
		require.Equal(t, http.StatusCreated, status, out)
		if rng.IntN(3) == 0 {
			id := out[strings.Index(out, `"id":"`)+6:][:36]
			code, ok := s.LastCode(id)
			require.True(t, ok)
			status, out = call(t, s, bearer, http.MethodPost, "/api/2fa/authentications/otp/"+id+"/verify", `{"access_code":"`+code+`"}`)
			require.Equal(t, http.StatusOK, status, out)
		}
		if i%(sends/4) == 0 { // before the clock moves: the requests above brought expiry up to date
			retained, pending, overdue := s.censusForTest()
			require.LessOrEqual(t, retained, maxSessions+pending, "after %d sends", i)
			require.LessOrEqual(t, pending, int(300*time.Second/step)+1)
			require.Zero(t, overdue)
			heaps = append(heaps, heapAlloc())
			t.Logf("after %d sends: %d held, %d pending, HeapAlloc %.1f MiB", i, retained, pending, float64(heaps[len(heaps)-1])/(1<<20))
		}
		clock.Advance(step)
	}
	// The first checkpoint (a quarter of the sends, 400 s or more) is past the longest lifetime.
	for i, h := range heaps[1:] {
		assert.LessOrEqual(t, h, heaps[0]+heaps[0]/2+1<<20, "HeapAlloc at checkpoint %d grew from %d", i+2, heaps[0])
	}
}
