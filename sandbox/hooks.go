package sandbox

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Message is one message the sandbox "sent", as its outbox shows it: the text is what the
// recipient would have read, with the code filled in.
type Message struct {
	ID               int64     `json:"id"`
	AuthenticationID string    `json:"authentication_id"`
	Recipient        string    `json:"recipient"`
	Channel          string    `json:"channel"`
	Sender           string    `json:"sender"`
	Text             string    `json:"text"`
	Code             string    `json:"code"`
	CreatedAt        time.Time `json:"-"`
}

// NormalizePhone reads a phone number in any form the API accepts or a person writes
// ("+380 50 123-45-67", "(380) 501234567", "380501234567") as its digits. It reports false
// for anything else, or for fewer than 9 or more than 15 digits.
func NormalizePhone(phone string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(phone); i++ {
		switch c := phone[i]; {
		case c >= '0' && c <= '9':
			b.WriteByte(c)
		case c == '+' && b.Len() == 0, c == ' ', c == '-', c == '(', c == ')', c == '.':
		default:
			return "", false
		}
		if b.Len() > maxPhoneDigits {
			return "", false
		}
	}
	if b.Len() < minPhoneDigits {
		return "", false
	}
	return b.String(), true
}

// CodeFor returns the code most recently sent to phone (in any form NormalizePhone reads),
// with the id of its session, for as long as the sandbox keeps that session. Tests of other
// languages know the phone number, not the session id.
func (s *Server) CodeFor(phone string) (code, authenticationID string, ok bool) {
	number, ok := NormalizePhone(phone)
	if !ok {
		return "", "", false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweepLocked(s.now())
	a, ok := s.lastSent[number]
	if !ok {
		return "", "", false
	}
	return a.code, a.id, true
}

// Messages returns every message in the outbox, newest first: the messages of the sessions
// the sandbox keeps (the most recent 20 of each), since the outbox was last cleared.
func (s *Server) Messages() []Message { return s.messages("", time.Time{}) }

// ClearMessages empties the outbox; the sessions and their codes stay.
func (s *Server) ClearMessages() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.outboxFrom = s.nextMsgID + 1
}

// messages lists the outbox, newest first, for one recipient (digits; "" for all) and from
// since on (zero for all).
func (s *Server) messages(recipient string, since time.Time) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweepLocked(s.now())
	var out []Message
	s.created.walk(0, s.created.len(), false, func(a *session) bool {
		if recipient != "" && a.recipient != recipient {
			return true
		}
		for _, m := range a.messages {
			if m.id < s.outboxFrom || m.created.Before(since) {
				continue
			}
			code := strconv.FormatUint(uint64(m.code), 10)
			code = strings.Repeat("0", max(a.digits-len(code), 0)) + code
			out = append(out, Message{
				ID: m.id, AuthenticationID: a.id, Recipient: a.recipient, Channel: a.channel,
				Sender: a.sender, Text: a.withCode(code), Code: code,
				CreatedAt: m.created,
			})
		}
		return true
	})
	slices.SortFunc(out, func(x, y Message) int { return cmp.Compare(y.ID, x.ID) })
	return out
}

// withCode is the session's text as the recipient read it.
func (a *session) withCode(code string) string {
	if a.codeAt < 0 || a.codeAt+len(codeShown) > len(a.text) {
		return a.text
	}
	return a.text[:a.codeAt] + code + a.text[a.codeAt+len(codeShown):]
}

// Reset drops all state: sessions, templates but the default one (and those of
// WithApprovedTemplate), bearers (every one issued so far is refused), faults, the outbox,
// the rate limit and the balance, as if the server were new. Options stay.
func (s *Server) Reset() {
	s.faults.clear()
	s.signer.Store(newSigner())
	if s.limiter != nil {
		s.limiter.reset()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.resetLocked()
}

func (l *limiter) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.tokens, l.last = l.rate, time.Time{}
}

// The /_sandbox/ endpoints: the same hooks over HTTP, for tests in any language.

type codeAnswer struct {
	Code             string `json:"code"`
	AuthenticationID string `json:"authentication_id"`
	Recipient        string `json:"recipient"`
}

func (s *Server) serveCodeFor(w http.ResponseWriter, r *http.Request) {
	phone := r.PathValue("phone")
	number, ok := NormalizePhone(phone)
	if !ok {
		writeJSON(w, http.StatusUnprocessableEntity, validationBody([]fieldError{{"phone", "The phone format is invalid."}}))
		return
	}
	code, id, ok := s.CodeFor(number)
	if !ok {
		writeJSON(w, http.StatusNotFound, ruleBody("No code was sent to this number"))
		return
	}
	writeJSON(w, http.StatusOK, codeAnswer{Code: code, AuthenticationID: id, Recipient: number})
}

type outboxMessage struct {
	Message
	CreatedAt string `json:"created_at"`
}

func (s *Server) serveMessages(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	recipient := ""
	if v := q.Get("recipient"); v != "" {
		n, ok := NormalizePhone(v)
		if !ok {
			writeJSON(w, http.StatusUnprocessableEntity, validationBody([]fieldError{{"recipient", "The recipient format is invalid."}}))
			return
		}
		recipient = n
	}
	var since time.Time
	if v := q.Get("since"); v != "" {
		t, ok := parseBound(v, false)
		if !ok {
			writeJSON(w, http.StatusUnprocessableEntity, validationBody([]fieldError{{"since", "The since is not a valid date."}}))
			return
		}
		since = t
	}
	msgs := s.messages(recipient, since)
	out := make([]outboxMessage, 0, len(msgs))
	for _, m := range msgs {
		out = append(out, outboxMessage{Message: m, CreatedAt: ts(m.CreatedAt)})
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": out, "total": len(out)})
}

func (s *Server) serveClearMessages(w http.ResponseWriter, _ *http.Request) {
	s.ClearMessages()
	w.WriteHeader(http.StatusNoContent)
}

// faultBody is Fault as JSON: the delay in milliseconds.
type faultBody struct {
	Fault
	DelayMS int64 `json:"delay_ms,omitempty"`
}

func (s *Server) serveFaults(w http.ResponseWriter, _ *http.Request) {
	list := s.faults.snapshot()
	out := make([]faultBody, 0, len(list))
	for _, f := range list {
		out = append(out, faultBody{Fault: f, DelayMS: f.Delay.Milliseconds()})
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": out})
}

func (s *Server) serveInjectFault(w http.ResponseWriter, r *http.Request) {
	var in faultBody
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		writeJSON(w, http.StatusUnprocessableEntity, validationBody([]fieldError{{"body", "The request body must be a JSON object of operation, status, example, retry_after, delay_ms, drop and times."}}))
		return
	}
	if in.DelayMS < 0 || in.DelayMS > MaxFaultDelay.Milliseconds() {
		writeJSON(w, http.StatusUnprocessableEntity, validationBody([]fieldError{{"delay_ms", fmt.Sprintf("The delay ms must be between 0 and %d.", MaxFaultDelay.Milliseconds())}}))
		return
	}
	in.Delay = time.Duration(in.DelayMS) * time.Millisecond
	if err := s.InjectFault(in.Fault); err != nil {
		writeJSON(w, http.StatusUnprocessableEntity, validationBody([]fieldError{{"fault", strings.TrimPrefix(err.Error(), "sandbox: ")}}))
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"data": in})
}

func (s *Server) serveClearFaults(w http.ResponseWriter, _ *http.Request) {
	s.ClearFaults()
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) serveReset(w http.ResponseWriter, _ *http.Request) {
	s.Reset()
	w.WriteHeader(http.StatusNoContent)
}
