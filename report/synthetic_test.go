package report_test

import (
	"bytes"
	"io"
	"net/http"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/go-bsg/bsg2fa/wrapper"
)

// synthetic is an http.RoundTripper that answers the list endpoint with pages made in memory,
// as the service writes them, for a period of total sessions: the report decodes real bytes
// with no network and no server state. Session i is a pure function of i.
type synthetic struct {
	total int
	pages atomic.Int64
}

// The synthetic period: 30 days, 10 countries, two channels, three numbers in four in blocks
// of 10,000 (as real traffic's are) and one in four scattered, statuses in a fixed cycle.
const (
	syntheticDays = 30
	syntheticSpan = syntheticDays * 24 * time.Hour
)

var syntheticCountries = []struct{ code, base string }{
	{"UA", "38050"}, {"DE", "49151"}, {"US", "1202"}, {"GB", "44770"}, {"FR", "33612"},
	{"PL", "48500"}, {"NG", "23480"}, {"IN", "91981"}, {"BR", "55119"}, {"TR", "90532"},
}

var syntheticStatuses = []string{"verified", "verified", "verified", "verified", "expired", "failed", "canceled"}

// syntheticSession is what the test knows of session i without reading it back.
type syntheticSession struct {
	created          time.Time
	country, status  string
	recipient        string
	channel          string
	messages         int
	verifiedAfterSec int
}

func (s *synthetic) session(i int) syntheticSession {
	c := syntheticCountries[i%len(syntheticCountries)]
	recipient := c.base + strconv.Itoa(1_000_000+(i/len(syntheticCountries))%50_000)
	if i%4 == 3 {
		// Every fourth number is scattered: its group (all but the last 4 digits) is its own,
		// as a pumping run over random numbers would make them.
		recipient = c.base[:2] + pad12(i)[5:] + "5555"
	}
	return syntheticSession{
		created:          first.Add(time.Duration(int64(syntheticSpan) / int64(s.total) * int64(i))).Truncate(time.Second),
		country:          c.code,
		status:           syntheticStatuses[i%len(syntheticStatuses)],
		recipient:        recipient,
		channel:          []string{"sms", "viber"}[i/3%2],
		messages:         1 + i%5/4,
		verifiedAfterSec: i % 97,
	}
}

func (s *synthetic) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_ = r.Body.Close()
	}
	q := r.URL.Query()
	offset, _ := strconv.Atoi(q.Get("page[offset]"))
	limit, _ := strconv.Atoi(q.Get("page[limit]"))
	s.pages.Add(1)
	body := s.page(offset, limit)
	return &http.Response{
		StatusCode: http.StatusOK,
		Header:     http.Header{"Content-Type": {"application/json"}},
		Body:       io.NopCloser(bytes.NewReader(body)),
		Request:    r,
	}, nil
}

const tsLayout = "2006-01-02 15:04:05"

// page writes the sessions [offset, offset+limit) in the service's shapes: prices of
// sessions as strings with a decimal comma, of messages as numbers, times without a zone.
func (s *synthetic) page(offset, limit int) []byte {
	b := make([]byte, 0, 800*limit)
	b = append(b, `{"data":{"list":[`...)
	for i := offset; i < min(offset+limit, s.total); i++ {
		ss := s.session(i)
		if i > offset {
			b = append(b, ',')
		}
		price := "0"
		finished := `null`
		switch ss.status {
		case "verified":
			price = "0,02"
			finished = `"` + ss.created.Add(time.Duration(ss.verifiedAfterSec)*time.Second).Format(tsLayout) + `"`
		case "expired":
			finished = `"` + ss.created.Add(5*time.Minute).Format(tsLayout) + `"`
		default:
			finished = `"` + ss.created.Add(time.Minute).Format(tsLayout) + `"`
		}
		created := ss.created.Format(tsLayout)
		b = append(b, `{"id":"00000000-0000-4000-8000-`...)
		b = append(b, pad12(i)...)
		b = append(b, `","recipient":"`...)
		b = append(b, ss.recipient...)
		b = append(b, `","status":"`...)
		b = append(b, ss.status...)
		b = append(b, `","channel":"`...)
		b = append(b, ss.channel...)
		b = append(b, `","sender":"Shop","message_text":"Your code is {code}","code_lifetime":300,"code_max_tries":3,"code_digits":6,"price":"`...)
		b = append(b, price...)
		b = append(b, `","currency":"USD","country_code":"`...)
		b = append(b, ss.country...)
		b = append(b, `","expired_at":"`...)
		b = append(b, ss.created.Add(5*time.Minute).Format(tsLayout)...)
		b = append(b, `","created_at":"`...)
		b = append(b, created...)
		b = append(b, `","updated_at":"`...)
		b = append(b, created...)
		b = append(b, `","finished_at":`...)
		b = append(b, finished...)
		b = append(b, `,"messages":[`...)
		for m := range ss.messages {
			if m > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"id":`...)
			b = strconv.AppendInt(b, int64(i)*2+int64(m), 10)
			b = append(b, `,"recipient":"`...)
			b = append(b, ss.recipient...)
			b = append(b, `","status":"delivered","channel":"`...)
			b = append(b, ss.channel...)
			b = append(b, `","sender":"Shop","text":"Your code is {code}","price":0.0642918,"currency":"USD","sent_at":"`...)
			b = append(b, created...)
			b = append(b, `","created_at":"`...)
			b = append(b, created...)
			b = append(b, `"}`...)
		}
		b = append(b, `]}`...)
	}
	b = append(b, `],"total":`...)
	b = strconv.AppendInt(b, int64(s.total), 10)
	return append(b, `}}`...)
}

func pad12(i int) string {
	s := strconv.Itoa(i)
	return "000000000000"[len(s):] + s
}

// syntheticClient is a client whose requests the synthetic period answers in memory.
func syntheticClient(t testing.TB, s *synthetic) *wrapper.Client {
	t.Helper()
	c, err := wrapper.New("", wrapper.WithToken("synthetic-bearer"), wrapper.WithBaseURL("https://synthetic.invalid"),
		wrapper.WithHTTPClient(&http.Client{Transport: s}))
	require.NoError(t, err)
	return c
}

// heapPeak samples HeapAlloc every 10 ms (and whenever sample is called) until stop.
type heapPeak struct {
	mu   sync.Mutex
	base uint64 // HeapAlloc when the watch began
	peak uint64
	done chan struct{}
	wg   sync.WaitGroup
}

func watchHeap() *heapPeak {
	h := &heapPeak{done: make(chan struct{})}
	h.sample()
	h.base = h.peak
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-h.done:
				return
			case <-tick.C:
				h.sample()
			}
		}
	}()
	return h
}

func (h *heapPeak) sample() {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	h.mu.Lock()
	h.peak = max(h.peak, ms.HeapAlloc)
	h.mu.Unlock()
}

// stop ends the watch and returns the peak HeapAlloc and what it was when the watch began.
func (h *heapPeak) stop() (peak, base uint64) {
	close(h.done)
	h.wg.Wait()
	h.sample()
	return h.peak, h.base
}
