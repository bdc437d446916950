package sandbox

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-bsg/bsg2fa/internal/testkit"
)

// BenchmarkListAuthentications100k measures one list page with 100,000 sessions held: the
// default sort (created_at ascending), newest first, and a page deep in the range.
func BenchmarkListAuthentications100k(b *testing.B) {
	const sessions = 100_000
	clock := testkit.NewClock()
	s := New(WithClock(clock.Now), WithMaxSessions(2*sessions))
	bearer := loginTo(b, s)
	send := strings.Replace(boundsSend, `"code_lifetime":30`, `"code_lifetime":300`, 1)
	for range sessions {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, jsonRequest(http.MethodPost, hostileSendPath, send, "Bearer "+bearer))
		if rec.Code != http.StatusCreated {
			b.Fatalf("send: %d %s", rec.Code, rec.Body)
		}
		clock.Advance(time.Millisecond)
	}
	day := testkit.Epoch.Format("2006-01-02")
	base := "/api/2fa/authentications?filter[from]=" + day + "&filter[to]=" + day
	for _, bc := range []struct{ name, query string }{
		{"sort=default", ""},
		{"way=desc", "&way=desc"},
		{"offset=50000", "&page[offset]=50000"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				rec := httptest.NewRecorder()
				s.ServeHTTP(rec, jsonRequest(http.MethodGet, base+bc.query, "", "Bearer "+bearer))
				if rec.Code != http.StatusOK {
					b.Fatalf("list: %d %.300s", rec.Code, rec.Body)
				}
			}
		})
	}
}

func jsonRequest(method, path, body, auth string) *http.Request {
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	if auth != "" {
		r.Header.Set("Authorization", auth)
	}
	return r
}
