package sandbox

import (
	"container/heap"
	"strings"
	"time"

	"github.com/go-bsg/bsg2fa/gen"
)

// Messages of the service, as the documentation page writes them.
const (
	msgTemplateNotFound    = "Template not found"
	msgTemplateStatus      = "Invalid template status"
	msgCountry             = "The recipients phone number is located in a country that is not on the list of countries allowed for the selected template. Please register new message template."
	msgStopList            = "Recipient exists on the stop list"
	msgPendingLimit        = "Authentication limit with status pending"
	msgTotalLimit          = "Total authentication limit"
	msgInsufficientFunds   = "Insufficient funds"
	msgAuthNotFound        = "Authentication not found"
	msgCodeMismatch        = "The code does not match the expected value"
	msgAttemptsLimit       = "Authentication verifying attempts limit"
	msgCodeExpired         = "Access code expired"
	msgFailedStatus        = "Authentication failed status"
	msgCanceledStatus      = "Authentication canceled status"
	msgExpired             = "Authentication expired"
	msgInvalidStatus       = "Authentication invalid status"
	msgDefaultTemplate     = "Default template is not available for deletion"
	msgTemplateName        = "User has a template with the identical name!"
	msgCodeOnce            = "The {code2fa} variable must occur only once in the text"
	msgCodeRequired        = "The variable {code2fa} is required in the text"
	msgTemplateLimit       = "The number of templates is limited to 1000. Please delete a template before making a new request."
	msgTooManyRequested    = "The number of requests to create a template is limited to 10. Please wait for the manager approve before making a new request."
	msgServiceError        = "2FA Service error."
	msgUnauthenticated     = `{"message":"Unauthenticated."}`
	msgTooManyRequestsBody = `{"message":"Too many duplicate request detected"}`
	msgRouteNotFound       = `{"message":"Not found."}`
)

const (
	codeVar           = "{code2fa}"
	codeShown         = "{code}" // what answers show in place of the code, as the documentation page does
	defaultTemplateID = 1
	maxTemplateID     = 999_999_999
	maxRequested      = 10

	// maxMessagesPerSession is how many messages a session keeps, the most recent ones: a
	// session resent without end must not grow without end.
	maxMessagesPerSession = 20
	// maxTemplates bounds the templates held, whatever their status. Creating one more drops
	// the oldest rejected template; when none is rejected, creation is refused.
	maxTemplates = 1000
)

// session is one authentication. Its fields change only under Server.mu.
type session struct {
	id        string
	recipient string
	channel   string // "sms" or "viber"
	sender    string
	senderAlt string // "" when none
	text      string // the template text with codeShown in place of the code
	codeAt    int    // where codeShown starts in text
	lifetime  int
	maxTries  int
	digits    int
	tries     int
	code      string
	country   string
	status    gen.AuthenticationStatus
	price     int64
	created   time.Time
	expires   time.Time
	updated   time.Time
	finished  time.Time
	messages  []message // the most recent maxMessagesPerSession, oldest first

	seq       uint64 // creation order, the tie-break of the created index
	heapIndex int    // position in Server.expiry while pending, else -1
}

// message is one message "sent" for a session; code is the code it carried, kept so the
// outbox can show the text as the recipient saw it.
type message struct {
	id      int64
	created time.Time
	code    uint32
}

type template struct {
	id        int
	name      string
	text      string
	shownText string   // text with codeShown in place of the code, shared by its sessions
	codeAt    int      // where codeShown starts in shownText
	countries []string // empty: every country
	status    gen.TemplateStatus
	updated   time.Time
}

func newTemplate(id int, name, text string, countries []string, status gen.TemplateStatus, now time.Time) *template {
	return &template{id: id, name: name, text: text, shownText: strings.Replace(text, codeVar, codeShown, 1),
		codeAt: strings.Index(text, codeVar), countries: countries, status: status, updated: now}
}

type finishedEntry struct {
	id string
	at time.Time
}

// queue is a FIFO that reuses its backing array; pops are O(1) amortised.
type queue[T any] struct {
	items []T
	head  int
}

func (q *queue[T]) push(v T) { q.items = append(q.items, v) }

func (q *queue[T]) len() int { return len(q.items) - q.head }

func (q *queue[T]) peek() T { return q.items[q.head] }

func (q *queue[T]) pop() {
	var zero T
	q.items[q.head] = zero
	q.head++
	switch {
	case q.head == len(q.items):
		q.items, q.head = q.items[:0], 0
	case q.head >= 1024 && q.head*2 >= len(q.items):
		n := copy(q.items, q.items[q.head:])
		clear(q.items[n:])
		q.items, q.head = q.items[:n], 0
	}
}

// expireLocked closes a pending session whose lifetime is over. Expiry is evaluated by the
// sandbox clock whenever the state is read or changed (see sweepLocked), so a fake clock moves
// sessions on without a timer.
func (s *Server) expireLocked(a *session, now time.Time) {
	if a.status == gen.AuthenticationStatusPending && !now.Before(a.expires) {
		s.finishLocked(a, gen.AuthenticationStatusExpired, a.expires)
	}
}

func (s *Server) finishLocked(a *session, status gen.AuthenticationStatus, at time.Time) {
	a.status, a.finished, a.updated = status, at, at
	if a.heapIndex >= 0 {
		heap.Remove(&s.expiry, a.heapIndex)
	}
	s.pending--
	s.finishedQ.push(finishedEntry{id: a.id, at: at})
	for s.finishedQ.len() > s.cfg.maxSessions {
		s.dropLocked(s.finishedQ.peek().id)
		s.finishedQ.pop()
	}
}

// dropLocked forgets a finished session everywhere it is indexed.
func (s *Server) dropLocked(id string) {
	a, ok := s.sessions[id]
	if !ok {
		return
	}
	delete(s.sessions, id)
	s.created.remove(a)
	if s.lastSent[a.recipient] == a {
		delete(s.lastSent, a.recipient)
	}
}

// sweepLocked keeps memory bounded and expiry exact: it expires every pending session whose
// own deadline has passed (earliest deadline first, from the heap) and drops finished sessions
// past the retention, oldest finished first. (finishLocked holds the maximum count at every
// finish.) Each call does work proportional to what it changes, times log n.
func (s *Server) sweepLocked(now time.Time) {
	for len(s.expiry) > 0 && !now.Before(s.expiry[0].expires) {
		s.expireLocked(s.expiry[0], now)
	}
	for s.finishedQ.len() > 0 {
		e := s.finishedQ.peek()
		if now.Sub(e.at) < s.cfg.retention {
			break
		}
		s.dropLocked(e.id)
		s.finishedQ.pop()
	}
}

// retained reports how many sessions the server holds; tests use it to check the bounds.
func (s *Server) retained() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.sessions)
}
