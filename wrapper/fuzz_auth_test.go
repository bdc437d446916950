package wrapper

import (
	"encoding/base64"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-bsg/bsg2fa/internal/testkit"
)

// The bearer the service returns is read, not verified: its claims are untrusted input that
// decides when the client logs in again. Run one target with e.g.
// go test -run '^$' -fuzz '^FuzzJWTTimes$' -fuzztime 30s ./wrapper/

// fuzzSent maps any int64 onto a send time between 2000 and about 2100, where a real clock is.
func fuzzSent(n int64) time.Time {
	const span = 100 * 365 * 24 * 3600
	s := n % span
	if s < 0 {
		s += span
	}
	return time.Unix(946_684_800+s, n%1_000_000_000).UTC()
}

// checkDeadlines holds for every token: no deadline at all, or an expiry after sent and a
// refresh point between the two. A deadline at or before sent would mean a login per call.
func checkDeadlines(t *testing.T, tok *token, sent time.Time) {
	t.Helper()
	if tok.expiresAt.IsZero() != tok.refreshAt.IsZero() {
		t.Fatalf("only one deadline set: expires %v, refresh %v", tok.expiresAt, tok.refreshAt)
	}
	if tok.expiresAt.IsZero() {
		return
	}
	if !tok.expiresAt.After(sent) {
		t.Fatalf("expires at %v, not after sent %v", tok.expiresAt, sent)
	}
	if tok.refreshAt.Before(sent) || tok.refreshAt.After(tok.expiresAt) {
		t.Fatalf("refresh at %v outside [%v, %v]", tok.refreshAt, sent, tok.expiresAt)
	}
	if tok.expiresAt.Sub(sent) >= time.Second && !tok.refreshAt.After(sent) {
		t.Fatalf("a lifetime of %v is refreshed at once", tok.expiresAt.Sub(sent))
	}
}

func FuzzJWTTimes(f *testing.F) {
	for _, s := range []string{
		"", "abc", "a.b", "a.b.c", "..", "a..c",
		testkit.JWTPayload(`{"iat":1700000000,"exp":1700003600}`),
		testkit.JWTPayload(`{"iat":1700000000.5,"exp":1.7000036e9}`),
		testkit.JWTPayload(`{"exp":-1,"iat":-5}`),
		testkit.JWTPayload(`{"exp":0}`),
		testkit.JWTPayload(`{"exp":1e308,"iat":1}`),
		testkit.JWTPayload(`{"exp":1e400}`),
		testkit.JWTPayload(`{"exp":"1700003600"}`),
		testkit.JWTPayload(`{"exp":null,"iat":null}`),
		testkit.JWTPayload(`{"exp":9223372036.854775807,"iat":1e-300}`),
		testkit.JWTPayload(`[1,2]`),
		testkit.JWTPayload(`{"exp":1700003600`),
		"x." + base64.URLEncoding.EncodeToString([]byte(`{"exp":1700003600}`)) + ".y",
		"x." + base64.StdEncoding.EncodeToString([]byte(`{"exp":1700003600}`)) + ".y",
		"x.%%%.y",
		"Bearer " + testkit.JWTPayload(`{"exp":1700003600}`),
	} {
		f.Add(s, int64(1_700_000_000), true)
	}
	f.Fuzz(func(t *testing.T, bearer string, sentN int64, fresh bool) {
		exp, iat := jwtTimes(bearer)
		for _, v := range []float64{exp, iat} {
			if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("jwtTimes(%q) = %v, %v", bearer, exp, iat)
			}
		}
		if strings.Count(bearer, ".") < 2 && (exp != 0 || iat != 0) {
			t.Fatalf("jwtTimes read claims from %q, which is not a JWT", bearer)
		}
		sent := fuzzSent(sentN)
		tok := newToken(bearer, sent, fresh)
		if tok.bearer.reveal() != bearer {
			t.Fatalf("newToken changed the bearer")
		}
		checkDeadlines(t, tok, sent)
	})
}

func FuzzNewTokenLifetime(f *testing.F) {
	f.Add(1_700_003_600.0, 1_700_000_000.0, int64(1_700_000_000), true)
	f.Add(1_700_003_600.0, 1_700_000_000.0, int64(1_700_000_000), false)
	f.Add(1_700_000_000.0, 1_700_003_600.0, int64(1_700_000_000), true) // exp before iat
	f.Add(1_600_000_000.0, 0.0, int64(1_700_000_000), false)            // already expired
	f.Add(1e300, 1.0, int64(0), true)
	f.Add(9_223_372_036.854775807, 1e-300, int64(0), true) // the saturation boundary
	f.Add(9_223_372_036.854774, 0.000001, int64(0), true)
	f.Add(1.000000001, 1.0, int64(0), true) // a lifetime of one nanosecond
	f.Add(-1.0, -2.0, int64(-1), true)
	f.Add(math.SmallestNonzeroFloat64, 0.0, int64(5), false)
	f.Fuzz(func(t *testing.T, exp, iat float64, sentN int64, fresh bool) {
		if math.IsNaN(exp) || math.IsInf(exp, 0) || math.IsNaN(iat) || math.IsInf(iat, 0) {
			return // JSON has no way to write these
		}
		payload := `{"exp":` + strconv.FormatFloat(exp, 'g', -1, 64) + `,"iat":` + strconv.FormatFloat(iat, 'g', -1, 64) + `}`
		bearer := testkit.JWTPayload(payload)
		gotExp, gotIat := jwtTimes(bearer)
		if want := max(exp, 0); gotExp != want {
			t.Fatalf("exp of %s read as %v", payload, gotExp)
		}
		if want := max(iat, 0); gotIat != want {
			t.Fatalf("iat of %s read as %v", payload, gotIat)
		}
		sent := fuzzSent(sentN)
		tok := newToken(bearer, sent, fresh)
		checkDeadlines(t, tok, sent)

		// A claimed lifetime of at least a second is never lost: such a bearer gets deadlines.
		var claimed float64
		switch {
		case fresh && exp > 0 && iat > 0 && exp > iat:
			claimed = exp - iat
		case exp > 0:
			claimed = exp - float64(sent.Unix()) - 1 // sent has a sub-second part
		}
		if claimed >= 1 && tok.expiresAt.IsZero() {
			t.Fatalf("%s sent at %v (fresh %v): a lifetime of %vs gave no deadline", payload, sent, fresh, claimed)
		}
		if life := tok.expiresAt.Sub(sent); !tok.expiresAt.IsZero() && claimed >= 1 && claimed < 1e9 {
			// Far from saturation the lifetime is the claimed one, to the microsecond.
			want := claimed * float64(time.Second)
			if fresh && exp > 0 && iat > 0 && exp > iat {
				if d := math.Abs(float64(life) - want); d > float64(time.Microsecond)+want*1e-15 {
					t.Fatalf("%s: lifetime %v, want %vs", payload, life, claimed)
				}
			}
		}
	})
}
