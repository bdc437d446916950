package sandbox

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-bsg/bsg2fa/gen"
)

// ErrTemplateNotFound is returned by ApproveTemplate and RejectTemplate for an id the sandbox
// does not hold.
var ErrTemplateNotFound = errors.New("sandbox: template not found")

// maxBody bounds what the sandbox reads from a request body; the largest valid one is far smaller.
const maxBody = 1 << 20

// Server is a stateful, in-memory stand-in for the BSG 2FA API. It is an http.Handler and is
// safe for concurrent use. Create it with New.
type Server struct {
	cfg     config
	routes  routeTable
	signer  atomic.Pointer[signer] // replaced by Reset, which invalidates every bearer
	mux     *http.ServeMux         // gen's routes, to name the operation a fault applies to
	api     http.Handler           // gen's glue on mux, behind request validation
	extra   *http.ServeMux
	limiter *limiter
	loadErr error
	faults  faultTable

	randMu sync.Mutex // guards cfg.rand when it is not crypto/rand

	mu         sync.Mutex
	sessions   map[string]*session
	created    createdIndex // every session held, by creation time
	expiry     expiryHeap   // pending sessions, by deadline
	finishedQ  queue[finishedEntry]
	lastSent   map[string]*session // by recipient: the session of the latest message
	seq        uint64
	pending    int
	total      int
	balance    int64
	templates  map[int]*template
	nextTmplID int
	nextMsgID  int64
	outboxFrom int64 // messages with a lower id were cleared from the outbox
}

// New returns a sandbox with the default template 1 and the given options. It never fails:
// invalid option values are ignored (see Option).
func New(opts ...Option) *Server {
	cfg := defaultConfig()
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	s := &Server{cfg: cfg}
	if cfg.ratePerSecond > 0 {
		s.limiter = &limiter{rate: float64(cfg.ratePerSecond), tokens: float64(cfg.ratePerSecond)}
	}
	s.routes, s.loadErr = loadRoutes()
	s.signer.Store(newSigner())
	s.resetLocked()

	strict := gen.NewStrictHandlerWithOptions(&handlers{s: s}, nil, gen.StrictHTTPServerOptions{
		RequestErrorHandlerFunc:  requestError,
		ResponseErrorHandlerFunc: s.responseError,
	})
	mux := http.NewServeMux()
	s.mux = mux
	// Paths that name no operation get a JSON answer like every other error, not the mux's
	// plain-text page, so a client's error handling sees the shape it expects.
	mux.HandleFunc("/", notFound)
	s.api = gen.HandlerWithOptions(strict, gen.StdHTTPServerOptions{
		BaseRouter:       mux,
		Middlewares:      []gen.MiddlewareFunc{s.validateRequests},
		ErrorHandlerFunc: paramError,
	})

	s.extra = http.NewServeMux()
	s.extra.HandleFunc("GET /_sandbox/authentications/{id}/code", s.serveCode)
	s.extra.HandleFunc("POST /_sandbox/templates/{id}/approve", s.serveModeration(gen.TemplateStatusApproved))
	s.extra.HandleFunc("POST /_sandbox/templates/{id}/reject", s.serveModeration(gen.TemplateStatusRejected))
	s.extra.HandleFunc("GET /_sandbox/recipients/{phone}/code", s.serveCodeFor)
	s.extra.HandleFunc("GET /_sandbox/messages", s.serveMessages)
	s.extra.HandleFunc("DELETE /_sandbox/messages", s.serveClearMessages)
	s.extra.HandleFunc("GET /_sandbox/faults", s.serveFaults)
	s.extra.HandleFunc("POST /_sandbox/faults", s.serveInjectFault)
	s.extra.HandleFunc("DELETE /_sandbox/faults", s.serveClearFaults)
	s.extra.HandleFunc("POST /_sandbox/reset", s.serveReset)
	s.extra.HandleFunc("/_sandbox/", notFound)
	return s
}

// resetLocked puts the state where New leaves it: no sessions, the default template and the
// templates of WithApprovedTemplate, the configured balance. The caller holds s.mu, or is New.
func (s *Server) resetLocked() {
	now := s.now()
	s.sessions = map[string]*session{}
	s.created = createdIndex{}
	s.expiry = nil
	s.finishedQ = queue[finishedEntry]{}
	s.lastSent = map[string]*session{}
	s.seq, s.pending, s.total = 0, 0, 0
	s.balance = s.cfg.balance
	s.nextMsgID, s.outboxFrom = 0, 0
	s.templates = map[int]*template{}
	s.nextTmplID = defaultTemplateID + 1
	s.templates[defaultTemplateID] = newTemplate(defaultTemplateID, "Default", "Your code is "+codeVar, nil, gen.TemplateStatusApproved, now)
	for _, t := range s.cfg.templates {
		s.templates[t.id] = newTemplate(t.id, t.name, t.text, t.countries, gen.TemplateStatusApproved, now)
		s.nextTmplID = max(s.nextTmplID, t.id+1)
	}
}

func (s *Server) now() time.Time { return s.cfg.clock().UTC() }

// ServeHTTP answers the BSG 2FA API under /api/ and the sandbox's own endpoints under
// /_sandbox/. Every /api/ request except login needs a bearer from login or refresh; every one
// is checked against api/bsg-2fa.yaml before it reaches the state.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.cfg.logger != nil {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		w = rec
		defer func() {
			s.cfg.logger.LogAttrs(r.Context(), slog.LevelInfo, "request",
				slog.String("method", r.Method), slog.String("path", r.URL.Path),
				slog.Int("status", rec.status), slog.Duration("duration", time.Since(start)))
		}()
	}
	if r.Body != nil {
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	}
	if strings.HasPrefix(r.URL.Path, "/_sandbox/") {
		s.extra.ServeHTTP(w, r)
		return
	}
	if s.loadErr != nil {
		writeJSON(w, http.StatusInternalServerError, gen.ErrorBody{Message: msgServiceError, Errors: stringErrors()})
		return
	}
	if s.faults.active() && s.applyFault(w, r) {
		return
	}
	now := s.now()
	if s.limiter != nil {
		if wait, ok := s.limiter.take(now); !ok {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Retry-After", strconv.Itoa(wait))
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = io.WriteString(w, msgTooManyRequestsBody)
			return
		}
	}
	if !(r.Method == http.MethodPost && r.URL.Path == "/api/auth/login") && !s.signer.Load().valid(r, now) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, msgUnauthenticated)
		return
	}
	s.api.ServeHTTP(w, r)
}

// LastCode returns the code most recently sent for a session (after a resend, the new one),
// for as long as the sandbox keeps the session.
func (s *Server) LastCode(authenticationID string) (code string, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweepLocked(s.now())
	a, ok := s.sessions[authenticationID]
	if !ok {
		return "", false
	}
	return a.code, true
}

// ApproveTemplate moves a template to "approved", as the vendor's manager would, so it can
// send codes. It returns an error matching ErrTemplateNotFound for an unknown id.
func (s *Server) ApproveTemplate(id int) error {
	return s.moderate(id, gen.TemplateStatusApproved)
}

// RejectTemplate moves a template to "rejected"; sends with it are then refused with
// "Invalid template status". It returns an error matching ErrTemplateNotFound for an unknown id.
func (s *Server) RejectTemplate(id int) error {
	return s.moderate(id, gen.TemplateStatusRejected)
}

func (s *Server) moderate(id int, status gen.TemplateStatus) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.templates[id]
	if !ok {
		return fmt.Errorf("%w: %d", ErrTemplateNotFound, id)
	}
	t.status, t.updated = status, s.now()
	return nil
}

func (s *Server) serveCode(w http.ResponseWriter, r *http.Request) {
	code, ok := s.LastCode(r.PathValue("id"))
	if !ok {
		writeJSON(w, http.StatusNotFound, ruleBody(msgAuthNotFound))
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"code": code})
}

func (s *Server) serveModeration(status gen.TemplateStatus) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.Atoi(r.PathValue("id"))
		if err == nil {
			err = s.moderate(id, status)
		}
		if err != nil {
			writeJSON(w, http.StatusNotFound, ruleBody(msgTemplateNotFound))
			return
		}
		s.mu.Lock()
		body := gen.TemplateResponse{Data: s.templates[id].toAPI()}
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, body)
	}
}

// randomRead fills p from the configured source; a custom source may not be safe for
// concurrent use, so it is read under a lock.
func (s *Server) randomRead(p []byte) error {
	if s.cfg.rand == nil {
		_, err := rand.Read(p)
		return err
	}
	s.randMu.Lock()
	defer s.randMu.Unlock()
	_, err := io.ReadFull(s.cfg.rand, p)
	return err
}

// newCode draws a code of n digits uniformly: 8 random bytes are rejected when they fall in
// the incomplete last block of 10^n values, so no code is likelier than another.
func (s *Server) newCode(n int) (string, error) {
	if n < minCodeDigits || n > maxCodeDigits {
		return "", fmt.Errorf("sandbox: a code of %d digits", n)
	}
	mod := uint64(math.Pow10(n))
	limit := math.MaxUint64 - math.MaxUint64%mod
	var b [8]byte
	for {
		if err := s.randomRead(b[:]); err != nil {
			return "", fmt.Errorf("sandbox: random source: %w", err)
		}
		if v := binary.BigEndian.Uint64(b[:]); v < limit {
			code := strconv.FormatUint(v%mod, 10)
			return strings.Repeat("0", n-len(code)) + code, nil
		}
	}
}

// newID makes a random (version 4) UUID, the form of the service's session ids.
func (s *Server) newID() (string, error) {
	var b [16]byte
	if err := s.randomRead(b[:]); err != nil {
		return "", fmt.Errorf("sandbox: random source: %w", err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:], b[10:])
	return string(out[:]), nil
}

// limiter is a token bucket refilled by the sandbox clock.
type limiter struct {
	mu     sync.Mutex
	rate   float64
	tokens float64
	last   time.Time
}

// take spends one token, or reports how many whole seconds to wait for the next one.
func (l *limiter) take(now time.Time) (wait int, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.last.IsZero() && now.After(l.last) {
		l.tokens = min(l.rate, l.tokens+now.Sub(l.last).Seconds()*l.rate)
	}
	if l.last.IsZero() || now.After(l.last) {
		l.last = now
	}
	if l.tokens >= 1 {
		l.tokens--
		return 0, true
	}
	return max(1, int(math.Ceil((1-l.tokens)/l.rate))), false
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// notFound answers a path (or method) that names no operation of the API.
func notFound(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusNotFound)
	_, _ = io.WriteString(w, msgRouteNotFound)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		status, body = http.StatusInternalServerError, []byte(`{"message":"2FA Service error.","errors":[]}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// requestError answers a body the strict glue could not decode after validation passed.
func requestError(w http.ResponseWriter, _ *http.Request, _ error) {
	writeJSON(w, http.StatusUnprocessableEntity, validationBody([]fieldError{{"body", "The request body must be a JSON object."}}))
}

// paramError answers a path or query parameter gen's glue could not bind.
func paramError(w http.ResponseWriter, _ *http.Request, err error) {
	name := "request"
	var (
		invalid  *gen.InvalidParamFormatError
		required *gen.RequiredParamError
		tooMany  *gen.TooManyValuesForParamError
		unmarsh  *gen.UnmarshalingParamError
	)
	switch {
	case errors.As(err, &invalid):
		if invalid.ParamName == "id" || invalid.ParamName == "templateId" {
			writeNotFound(w, invalid.ParamName)
			return
		}
		name = invalid.ParamName
	case errors.As(err, &required):
		writeJSON(w, http.StatusUnprocessableEntity, validationBody([]fieldError{{required.ParamName, fmt.Sprintf("The %s field is required.", attr(required.ParamName))}}))
		return
	case errors.As(err, &tooMany):
		name = tooMany.ParamName
	case errors.As(err, &unmarsh):
		name = unmarsh.ParamName
	}
	writeJSON(w, http.StatusUnprocessableEntity, validationBody([]fieldError{{name, fmt.Sprintf("The %s format is invalid.", attr(name))}}))
}

// responseError answers a failure inside a handler (the random source failing) the way the
// service answers a failure of its back end.
func (s *Server) responseError(w http.ResponseWriter, r *http.Request, err error) {
	if s.cfg.logger != nil {
		s.cfg.logger.LogAttrs(r.Context(), slog.LevelError, "handler failed", slog.String("error", err.Error()))
	}
	writeJSON(w, http.StatusInternalServerError, gen.ErrorBody{Message: msgServiceError, Errors: stringErrors()})
}
