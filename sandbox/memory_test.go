package sandbox

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-bsg/bsg2fa/internal/testkit"
)

// memSendsEnv sets how many sends TestMemoryBoundedByRetention makes, e.g.
//
//	BSG2FA_MEMORY_SENDS=1000000 go test -run TestMemoryBoundedByRetention -v ./sandbox/
const memSendsEnv = "BSG2FA_MEMORY_SENDS"

// Default sends: enough to pass the retention bounds many times over, small enough for CI.
const (
	memDefaultSends     = 100_000
	memDefaultSendsRace = 6_000
	memMaxSessions      = 500
)

// memWriter is the cheapest ResponseWriter that keeps the status and the body.
type memWriter struct {
	h      http.Header
	status int
	body   bytes.Buffer
}

func (w *memWriter) Header() http.Header         { return w.h }
func (w *memWriter) Write(p []byte) (int, error) { return w.body.Write(p) }
func (w *memWriter) WriteHeader(status int)      { w.status = status }

func (w *memWriter) reset() {
	clear(w.h)
	w.status = http.StatusOK
	w.body.Reset()
}

// raceEnabled reports whether the test binary was built with -race, which makes every send
// several times slower.
func raceEnabled() bool {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, s := range info.Settings {
		if s.Key == "-race" {
			return s.Value == "true"
		}
	}
	return false
}

func memSends(t *testing.T) int {
	if v := os.Getenv(memSendsEnv); v != "" {
		n, err := strconv.Atoi(v)
		require.NoError(t, err, memSendsEnv)
		require.GreaterOrEqual(t, n, 8*memMaxSessions, "%s too small to show anything", memSendsEnv)
		return n
	}
	if raceEnabled() {
		return memDefaultSendsRace
	}
	return memDefaultSends
}

func heapAlloc() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// TestMemoryBoundedByRetention sends many codes through the handler in-process, with a clock
// that moves 100ms a send: half the sessions are verified at once, the others left to expire
// after their 30s. With at most 500 finished sessions kept, the sessions held and the heap
// must stop growing once the first quarter of the sends has filled the bounds.
func TestMemoryBoundedByRetention(t *testing.T) {
	sends := memSends(t)
	clock := testkit.NewClockAt(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
	s := New(WithClock(clock.Now), WithMaxSessions(memMaxSessions))

	w := &memWriter{h: http.Header{}}
	auth := ""
	serve := func(path, payload string) []byte {
		w.reset()
		req, err := http.NewRequest(http.MethodPost, "http://sandbox"+path, strings.NewReader(payload))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		s.ServeHTTP(w, req)
		return w.body.Bytes()
	}

	var tok struct{ Bearer string }
	out := serve("/api/auth/login", `{"api_key":"k"}`)
	require.NoError(t, json.Unmarshal(out, &tok), "%d %s", w.status, out)
	require.NotEmpty(t, tok.Bearer, "%d %s", w.status, out)
	auth = "Bearer " + tok.Bearer

	const lifetime = 30 * time.Second
	const step = 100 * time.Millisecond
	// Pending sessions are kept until they expire: lifetime/step of them at most.
	maxRetained := memMaxSessions + int(lifetime/step) + 1

	send := `{"recipient":"380501403813","channel":"sms","sender":"SENDER","template_id":1,"code_lifetime":30,"code_max_tries":3,"code_digits":6}`
	var sent struct {
		Data struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	checkpoints := map[int]bool{sends / 4: true, sends / 2: true, 3 * sends / 4: true, sends: true}
	var heaps []uint64
	start := time.Now()
	for i := 1; i <= sends; i++ {
		out := serve("/api/2fa/authentications/otp", send)
		if w.status != http.StatusCreated {
			require.Equal(t, http.StatusCreated, w.status, "send %d: %s", i, out)
		}
		if i%2 == 0 {
			require.NoError(t, json.Unmarshal(out, &sent))
			code, ok := s.LastCode(sent.Data.ID)
			require.True(t, ok)
			out = serve("/api/2fa/authentications/otp/"+sent.Data.ID+"/verify", `{"access_code":"`+code+`"}`)
			if w.status != http.StatusOK {
				require.Equal(t, http.StatusOK, w.status, "verify %d: %s", i, out)
			}
		}
		clock.Advance(step)
		if checkpoints[i] {
			elapsed := time.Since(start)
			heap := heapAlloc()
			heaps = append(heaps, heap)
			retained := s.retained()
			t.Logf("after %d sends: %d sessions held, HeapAlloc %.1f MiB, %.0f sends/s so far",
				i, retained, float64(heap)/(1<<20), float64(i)/elapsed.Seconds())
			require.LessOrEqual(t, retained, maxRetained, "sessions held after %d sends", i)
			require.GreaterOrEqual(t, retained, memMaxSessions, "the bounds are filled after %d sends", i)
		}
	}
	require.Len(t, heaps, 4)
	// Once the bounds are filled, the heap stays where it was at the first checkpoint: a
	// leak of even 100 bytes a send would add megabytes over the rest of the run.
	for i, h := range heaps[1:] {
		assert.LessOrEqual(t, h, heaps[0]+heaps[0]/2+1<<20,
			"HeapAlloc at checkpoint %d (%d bytes) grew from %d bytes", i+2, h, heaps[0])
	}
}
