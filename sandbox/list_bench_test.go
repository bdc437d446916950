package sandbox

import (
	"net/http"
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
		if status, body := call(b, s, bearer, http.MethodPost, hostileSendPath, send); status != http.StatusCreated {
			b.Fatalf("send: %d %s", status, body)
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
				if status, body := call(b, s, bearer, http.MethodGet, base+bc.query, ""); status != http.StatusOK {
					b.Fatalf("list: %d %.300s", status, body)
				}
			}
		})
	}
}
