package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
)

// ErrInvalidFault is returned by InjectFault for a fault that names no operation of the
// document, a status the operation does not document, or no effect at all.
var ErrInvalidFault = errors.New("sandbox: invalid fault")

// MaxFaultDelay bounds Fault.Delay, so a forgotten fault cannot hold connections for long.
const MaxFaultDelay = time.Minute

// Fault makes the sandbox misbehave on purpose for one operation, so a client's retries and
// error handling can be tried against the service's real error shapes.
type Fault struct {
	// Operation is the operationId of api/bsg-2fa.yaml: "login", "refreshToken", "sendOtp",
	// "resendOtp", "verifyOtp", "cancelOtp", "getAuthentication", "listAuthentications",
	// "listTemplates", "createTemplate", "getTemplate" or "deleteTemplate".
	Operation string `json:"operation"`
	// Status, when set, answers with this status and the body the document gives for it on
	// this operation (for example 503 answers the ServerError example,
	// {"message":"2FA Service error.","errors":[]}). It must be a 4xx or 5xx status the
	// operation documents.
	Status int `json:"status,omitempty"`
	// Example names one of several documented examples for the status (the document's
	// "examples" key, e.g. "not_found" for a 404); empty takes the first by name, the
	// placeholder "generic" example last.
	Example string `json:"example,omitempty"`
	// RetryAfter, in seconds, is sent as a Retry-After header with a 429 or 5xx status.
	RetryAfter int `json:"retry_after,omitempty"`
	// Delay waits this long (at most MaxFaultDelay) before answering, or before the status or
	// the drop. A delay alone answers normally afterwards.
	Delay time.Duration `json:"-"`
	// Drop closes the connection without an answer, as a crashed or unreachable server does.
	Drop bool `json:"drop,omitempty"`
	// Times is how many requests the fault applies to: 0 means one, a negative number means
	// every request until the faults are cleared.
	Times int `json:"times,omitempty"`
}

// armedFault is a Fault ready to fire: its answer is rendered once, when it is injected.
type armedFault struct {
	Fault
	remaining int // < 0: until cleared
	body      []byte
}

// faultTable holds the armed faults; active keeps the common path (no faults) lock-free.
type faultTable struct {
	count atomic.Int32
	mu    sync.Mutex
	list  []*armedFault
}

func (t *faultTable) active() bool { return t.count.Load() > 0 }

func (t *faultTable) add(f *armedFault) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.list = append(t.list, f)
	t.count.Store(int32(len(t.list)))
}

func (t *faultTable) clear() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.list = nil
	t.count.Store(0)
}

// take returns the first fault armed for op and counts one use of it.
func (t *faultTable) take(op string) (Fault, []byte, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for i, f := range t.list {
		if f.Operation != op {
			continue
		}
		if f.remaining > 0 {
			f.remaining--
			if f.remaining == 0 {
				t.list = slices.Delete(t.list, i, i+1)
				t.count.Store(int32(len(t.list)))
			}
		}
		return f.Fault, f.body, true
	}
	return Fault{}, nil, false
}

func (t *faultTable) snapshot() []Fault {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]Fault, 0, len(t.list))
	for _, f := range t.list {
		g := f.Fault
		g.Times = f.remaining
		out = append(out, g)
	}
	return out
}

// InjectFault arms f: the next requests to f.Operation (f.Times of them) are delayed, answered
// with f.Status and the document's error body for it, or dropped. Faults apply before the
// bearer and the rate limit are checked, in the order they were injected. It returns an error
// matching ErrInvalidFault when f cannot apply.
func (s *Server) InjectFault(f Fault) error {
	armed, err := s.armFault(f)
	if err != nil {
		return err
	}
	s.faults.add(armed)
	return nil
}

// ClearFaults disarms every fault.
func (s *Server) ClearFaults() { s.faults.clear() }

func (s *Server) armFault(f Fault) (*armedFault, error) {
	invalid := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrInvalidFault, fmt.Sprintf(format, args...))
	}
	op := s.operation(f.Operation)
	switch {
	case op == nil && len(f.Operation) > 64:
		return nil, invalid("the operation is not in the document")
	case op == nil:
		return nil, invalid("operation %q is not in the document", f.Operation)
	case f.Delay < 0 || f.Delay > MaxFaultDelay:
		return nil, invalid("delay %v is not between 0 and %v", f.Delay, MaxFaultDelay)
	case f.Status == 0 && f.Delay == 0 && !f.Drop:
		return nil, invalid("a fault needs a status, a delay or a drop")
	case f.Status != 0 && f.Drop:
		return nil, invalid("a dropped connection has no status")
	case f.RetryAfter < 0 || f.RetryAfter > 86_400:
		return nil, invalid("retry_after %d is not between 0 and 86400", f.RetryAfter)
	}
	armed := &armedFault{Fault: f, remaining: f.Times}
	if f.Times == 0 {
		armed.remaining = 1
	}
	if f.Status != 0 {
		body, err := documentedBody(op, f.Status, f.Example)
		if err != nil {
			return nil, invalid("%s: %v", f.Operation, err)
		}
		armed.body = body
	}
	return armed, nil
}

// operation finds an operation of the document by its operationId.
func (s *Server) operation(id string) *openapi3.Operation {
	if id == "" {
		return nil
	}
	for _, rt := range s.routes {
		if rt.route.Operation.OperationID == id {
			return rt.route.Operation
		}
	}
	return nil
}

// documentedBody renders the JSON example the document gives for an error status of op: the
// exact status first, then its range ("5XX").
func documentedBody(op *openapi3.Operation, status int, example string) ([]byte, error) {
	if status < 400 || status > 599 {
		return nil, fmt.Errorf("status %d is not an error status", status)
	}
	ref := op.Responses.Value(strconv.Itoa(status))
	if ref == nil {
		ref = op.Responses.Value(strconv.Itoa(status/100) + "XX")
	}
	if ref == nil || ref.Value == nil {
		return nil, fmt.Errorf("status %d is not documented", status)
	}
	mt := ref.Value.Content.Get("application/json")
	if mt == nil {
		return nil, fmt.Errorf("status %d has no JSON body", status)
	}
	var value any
	switch {
	case example != "":
		ex, ok := mt.Examples[example]
		if !ok || ex.Value == nil {
			return nil, fmt.Errorf("status %d has no example %q", status, example)
		}
		value = ex.Value.Value
	case mt.Example != nil:
		value = mt.Example
	case len(mt.Examples) > 0:
		names := make([]string, 0, len(mt.Examples))
		for name := range mt.Examples {
			names = append(names, name)
		}
		slices.Sort(names)
		// "generic" shows the documentation page's placeholders (ERROR_MESSAGE_1); a fault
		// answers with a body the service really sends, so it comes last.
		if i := slices.Index(names, genericExample); i >= 0 && len(names) > 1 {
			names = append(slices.Delete(names, i, i+1), genericExample)
		}
		if ex := mt.Examples[names[0]]; ex.Value != nil {
			value = ex.Value.Value
		}
	}
	if value == nil {
		return nil, fmt.Errorf("status %d has no example body", status)
	}
	return json.Marshal(value)
}

// genericExample names the spec's placeholder example of a shared error response.
const genericExample = "generic"

// applyFault runs the fault armed for the request's operation, if any, and reports whether it
// answered (or dropped) the request.
func (s *Server) applyFault(w http.ResponseWriter, r *http.Request) bool {
	_, pattern := s.mux.Handler(r)
	rt, ok := s.routes[pattern]
	if !ok {
		return false
	}
	f, body, ok := s.faults.take(rt.route.Operation.OperationID)
	if !ok {
		return false
	}
	if f.Delay > 0 {
		t := time.NewTimer(f.Delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return true
		}
	}
	switch {
	case f.Drop:
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			_ = conn.Close()
			return true
		}
		// Not a real connection (a ResponseRecorder): net/http's way to abort an answer.
		panic(http.ErrAbortHandler)
	case f.Status != 0:
		w.Header().Set("Content-Type", "application/json")
		if f.RetryAfter > 0 && (f.Status == http.StatusTooManyRequests || f.Status >= 500) {
			w.Header().Set("Retry-After", strconv.Itoa(f.RetryAfter))
		}
		w.WriteHeader(f.Status)
		_, _ = w.Write(body)
		return true
	}
	return false
}
