package sandbox

import (
	"encoding/json"
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

const hostileSendPath = "/api/2fa/authentications/otp"

// sendWith is a valid send body with more members at its end.
func sendWith(members string) string {
	return `{"recipient":"380501403813","channel":"sms","sender":"SENDER","template_id":"1","code_lifetime":30,"code_max_tries":3,"code_digits":6,` + members + `}`
}

// TestCaseVariantKeysAreRefused: kin-openapi validates exact keys while encoding/json matches
// keys case-insensitively, last one winning; a body must mean one thing to both.
func TestCaseVariantKeysAreRefused(t *testing.T) {
	tests := []struct {
		name string
		body string
	}{
		{name: "digits that allocate without bound", body: sendWith(`"CODE_DIGITS":100000000000`)},
		{name: "zero digits", body: sendWith(`"Code_Digits":0`)},
		{name: "negative digits", body: sendWith(`"CODE_DIGITS":-1`)},
		{name: "a million tries", body: sendWith(`"CODE_MAX_TRIES":1000000`)},
		{name: "lifetime of a year", body: sendWith(`"code_LIFETIME":31536000`)},
		{name: "a megabyte sender", body: sendWith(`"SENDER":"` + strings.Repeat("S", 1<<20-200) + `"`)},
		{name: "sender_alt only in capitals", body: sendWith(`"SENDER_ALT":"` + strings.Repeat("A", 4096) + `"`)},
		{name: "long s folds to s", body: sendWith(`"ſender":"` + strings.Repeat("x", 100) + `"`)},
		{name: "exact duplicate", body: sendWith(`"code_digits":7`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := testkit.NewClock()
			s := New(WithClock(clock.Now))
			bearer := loginTo(t, s)
			status, body := call(t, s, bearer, http.MethodPost, hostileSendPath, tt.body)
			require.Equal(t, http.StatusUnprocessableEntity, status, "%.300s", body)
			assert.Contains(t, body, "The given data was invalid.")
			assert.Zero(t, s.retained(), "nothing is stored from a refused body")
		})
	}
}

// TestVerifyAndTemplateCaseVariants: the other bodies with members are held to the same rule.
func TestVerifyAndTemplateCaseVariants(t *testing.T) {
	s := New(WithClock(testkit.NewClock().Now))
	bearer := loginTo(t, s)
	for _, tt := range []struct{ path, body string }{
		{"/api/2fa/authentications/otp/x/verify", `{"access_code":"12345","ACCESS_CODE":"1"}`},
		{"/api/2fa/authentications/templates", `{"name":"abc","text":"code {code2fa}","countries":["UA"],"TEXT":"` + strings.Repeat("t", 5000) + `"}`},
		{"/api/auth/login", `{"api_key":"k","API_KEY":"other"}`},
		{"/api/auth/login", "{\"api_key\":\"k\",\"api_\u212aey\":\"other\"}"}, // the Kelvin sign folds to k
	} {
		status, body := call(t, s, bearer, http.MethodPost, tt.path, tt.body)
		assert.Equal(t, http.StatusUnprocessableEntity, status, "%s: %.200s", tt.path, body)
	}
}

// TestCodeGeneratorRefusesBadLengths: the generator never allocates from a client number.
func TestCodeGeneratorRefusesBadLengths(t *testing.T) {
	s := New()
	for _, n := range []int{-1, 0, 1, 2, 10, 19, 20, 100_000_000_000} {
		_, err := s.newCode(n)
		assert.Error(t, err, "newCode(%d)", n)
	}
	for n := 3; n <= 9; n++ {
		code, err := s.newCode(n)
		require.NoError(t, err)
		assert.Len(t, code, n)
	}
}

func sendFor(t *testing.T, s *Server, bearer string, lifetime int) string {
	t.Helper()
	body := strings.Replace(boundsSend, `"code_lifetime":30`, `"code_lifetime":`+strconv.Itoa(lifetime), 1)
	status, out := call(t, s, bearer, http.MethodPost, hostileSendPath, body)
	require.Equal(t, http.StatusCreated, status, out)
	var got struct{ Data struct{ ID string } }
	require.NoError(t, json.Unmarshal([]byte(out), &got))
	return got.Data.ID
}

// TestShortSessionExpiresBehindLongOne: a 30 s session created after a 300 s one expires at
// its own deadline and stops counting as pending.
func TestShortSessionExpiresBehindLongOne(t *testing.T) {
	clock := testkit.NewClock()
	s := New(WithClock(clock.Now), WithPendingLimit(2))
	bearer := loginTo(t, s)
	sendFor(t, s, bearer, 300)
	sendFor(t, s, bearer, 30)
	clock.Advance(60 * time.Second)
	status, body := call(t, s, bearer, http.MethodPost, hostileSendPath, boundsSend)
	assert.Equal(t, http.StatusCreated, status, body)
}

// TestRetainedBoundBehindLongSession: a long session at the head no longer keeps 5,000
// expired ones alive.
func TestRetainedBoundBehindLongSession(t *testing.T) {
	clock := testkit.NewClock()
	s := New(WithClock(clock.Now), WithMaxSessions(100))
	bearer := loginTo(t, s)
	sendFor(t, s, bearer, 300)
	for range 5000 {
		sendFor(t, s, bearer, 30)
		clock.Advance(10 * time.Millisecond)
	}
	// 30 s of sends at 10 ms are pending at most (3,001), plus 100 finished and the long one.
	assert.LessOrEqual(t, s.retained(), 100+3001+1)
	pending := s.pendingCount()
	assert.LessOrEqual(t, s.retained(), 100+pending)
}

// TestBoundsInEveryArrivalOrder: lifetimes, outcomes and steps in a random (seeded) order;
// after every step the sandbox holds at most max finished sessions besides the pending ones,
// and no pending session is past its deadline.
func TestBoundsInEveryArrivalOrder(t *testing.T) {
	for seed := range uint64(8) {
		t.Run("seed "+strconv.FormatUint(seed, 10), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 0x5eed))
			clock := testkit.NewClock()
			const maxSessions = 50
			s := New(WithClock(clock.Now), WithMaxSessions(maxSessions), WithRetention(time.Hour))
			bearer := loginTo(t, s)
			var ids []string
			for range 1500 {
				switch op := rng.IntN(10); {
				case op < 6:
					ids = append(ids, sendFor(t, s, bearer, 30+rng.IntN(271)))
				case op < 8 && len(ids) > 0:
					id := ids[rng.IntN(len(ids))]
					call(t, s, bearer, http.MethodPost, "/api/2fa/authentications/"+id+"/cancel", "")
				case len(ids) > 0:
					id := ids[rng.IntN(len(ids))]
					call(t, s, bearer, http.MethodPost, "/api/2fa/authentications/otp/"+id+"/resend", "")
				}
				clock.Advance(time.Duration(rng.IntN(2000)) * time.Millisecond)
				// Any request that reads the state brings expiry up to date.
				status, body := call(t, s, bearer, http.MethodGet, "/api/2fa/authentications/bf4381c8-9d4a-4705-bd28-f89a830b7f96", "")
				require.Equal(t, http.StatusNotFound, status, body)
				retained, pending, overdue := s.censusForTest()
				require.LessOrEqual(t, retained, maxSessions+pending)
				require.Zero(t, overdue, "pending sessions past their deadline")
			}
		})
	}
}

// TestMessagesPerSessionBounded: the most recent 20 messages of a session are kept.
func TestMessagesPerSessionBounded(t *testing.T) {
	clock := testkit.NewClock()
	s := New(WithClock(clock.Now))
	bearer := loginTo(t, s)
	id := sendFor(t, s, bearer, 300)
	for range 500 {
		status, body := call(t, s, bearer, http.MethodPost, "/api/2fa/authentications/otp/"+id+"/resend", "")
		require.Equal(t, http.StatusOK, status, body)
	}
	status, body := call(t, s, bearer, http.MethodGet, "/api/2fa/authentications/"+id, "")
	require.Equal(t, http.StatusOK, status)
	var got struct {
		Data struct {
			Messages []struct{ ID int64 }
		}
	}
	require.NoError(t, json.Unmarshal([]byte(body), &got))
	require.Len(t, got.Data.Messages, maxMessagesPerSession)
	assert.Equal(t, int64(501), got.Data.Messages[len(got.Data.Messages)-1].ID, "the newest is kept")
	assert.Equal(t, int64(482), got.Data.Messages[0].ID, "the oldest kept is the 20th newest")
}

// TestTemplatesBoundedWhenRejected: rejecting each requested template through /_sandbox/ does
// not let templates pile up.
func TestTemplatesBoundedWhenRejected(t *testing.T) {
	s := New(WithClock(testkit.NewClock().Now))
	bearer := loginTo(t, s)
	for i := range 3000 {
		body := `{"name":"template ` + strconv.Itoa(i) + `","text":"code {code2fa}","countries":["UA"]}`
		status, out := call(t, s, bearer, http.MethodPost, "/api/2fa/authentications/templates", body)
		require.Equal(t, http.StatusOK, status, out)
		var got struct {
			Data struct {
				TemplateID int `json:"template_id"`
			}
		}
		require.NoError(t, json.Unmarshal([]byte(out), &got))
		status, out = call(t, s, "", http.MethodPost, "/_sandbox/templates/"+strconv.Itoa(got.Data.TemplateID)+"/reject", "")
		require.Equal(t, http.StatusOK, status, out)
	}
	s.mu.Lock()
	held := len(s.templates)
	s.mu.Unlock()
	assert.LessOrEqual(t, held, maxTemplates)
}
