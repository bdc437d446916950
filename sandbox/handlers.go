package sandbox

import (
	"cmp"
	"container/heap"
	"context"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-bsg/bsg2fa/gen"
	"github.com/go-bsg/bsg2fa/internal/phone"
)

// handlers implements gen's strict server interface, so the compiler holds every answer to
// the shapes and status codes of api/bsg-2fa.yaml. Requests reach it already authenticated
// and validated (see Server.ServeHTTP).
type handlers struct {
	s *Server
}

var _ gen.StrictServerInterface = (*handlers)(nil)

const timeLayout = "2006-01-02 15:04:05"

func ts(t time.Time) string { return t.UTC().Format(timeLayout) }

// ruleBody is the shape of the service's 2FA rule errors: {"errors":[{"message":"…"}]}.
func ruleBody(msg string) gen.ErrorBody {
	var list gen.ErrorList
	_ = list.FromErrorList1(gen.ErrorList1{{Message: msg}}) // marshalling a []struct{string} cannot fail
	return gen.ErrorBody{Errors: &list}
}

// stringErrors is an empty list of messages, for {"message":"…","errors":[]}.
func stringErrors() *gen.ErrorList {
	var list gen.ErrorList
	_ = list.FromErrorList0(gen.ErrorList0{})
	return &list
}

func commaPrice(v int64) gen.Price {
	var p gen.Price
	_ = p.FromPrice1(formatMoney(v, ','))
	return p
}

// rawJSON answers with a body gen's types cannot express: {"message":"Unauthenticated."}
// without an "errors" member.
type rawJSON struct {
	status int
	body   string
}

func (r rawJSON) VisitLoginResponse(w http.ResponseWriter) error {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(r.status)
	_, err := io.WriteString(w, r.body)
	return err
}

// Login exchanges the API key for a bearer. With WithAPIKey only that key is accepted (compared
// in constant time); otherwise any non-empty key.
func (h *handlers) Login(ctx context.Context, _ gen.LoginRequestObject) (gen.LoginResponseObject, error) {
	key, ok := parseAPIKey(ctx)
	if !ok {
		return gen.Login422JSONResponse{UnprocessableJSONResponse: unprocessable("api_key", "The api key format is invalid.").UnprocessableJSONResponse}, nil
	}
	want := h.s.cfg.apiKey
	if want != "" && subtle.ConstantTimeCompare([]byte(key), []byte(want)) != 1 {
		return rawJSON{status: http.StatusUnauthorized, body: msgUnauthenticated}, nil
	}
	return gen.Login200JSONResponse{Bearer: h.s.signer.Load().issue(h.s.now(), h.s.cfg.tokenTTL)}, nil
}

// RefreshToken issues a new bearer; the old one stays valid until its own expiry.
func (h *handlers) RefreshToken(_ context.Context, _ gen.RefreshTokenRequestObject) (gen.RefreshTokenResponseObject, error) {
	return gen.RefreshToken200JSONResponse{Bearer: h.s.signer.Load().issue(h.s.now(), h.s.cfg.tokenTTL)}, nil
}

// jsonScalar returns a JSON string's content, or a JSON number's text.
func jsonScalar(raw []byte) (string, bool) {
	if len(raw) > 0 && raw[0] == '"' {
		var v string
		if err := json.Unmarshal(raw, &v); err != nil {
			return "", false
		}
		return v, true
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err != nil {
		return "", false
	}
	i, err := n.Int64()
	if err != nil {
		return "", false
	}
	return strconv.FormatInt(i, 10), true
}

func unprocessable(field, msg string) gen.SendOtp422JSONResponse {
	body := validationBody([]fieldError{{field, msg}})
	var list gen.ErrorList
	_ = list.FromErrorList2(gen.ErrorList2(body["errors"].(map[string][]string)))
	return gen.SendOtp422JSONResponse{UnprocessableJSONResponse: gen.UnprocessableJSONResponse{Message: "The given data was invalid.", Errors: &list}}
}

// SendOtp opens a pending session and "sends" its code: the code is kept for LastCode and
// the /_sandbox/ endpoint and logged, never put in an answer.
func (h *handlers) SendOtp(ctx context.Context, _ gen.SendOtpRequestObject) (gen.SendOtpResponseObject, error) {
	s := h.s
	b, bad := parseSend(ctx)
	if bad != "" {
		return unprocessable(bad, fmt.Sprintf("The %s format is invalid.", attr(bad))), nil
	}
	code, err := s.newCode(b.digits)
	if err != nil {
		return nil, err
	}
	id, err := s.newID()
	if err != nil {
		return nil, err
	}
	recipient, templateID := b.recipient, b.templateID

	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.sweepLocked(now)
	t, ok := s.templates[templateID]
	if !ok {
		return gen.SendOtp404JSONResponse{NotFoundJSONResponse: gen.NotFoundJSONResponse(ruleBody(msgTemplateNotFound))}, nil
	}
	country := countryOf(recipient)
	switch {
	case t.status != gen.TemplateStatusApproved:
		return gen.SendOtp422JSONResponse{UnprocessableJSONResponse: gen.UnprocessableJSONResponse(ruleBody(msgTemplateStatus))}, nil
	case len(t.countries) > 0 && !slices.Contains(t.countries, country):
		return gen.SendOtp422JSONResponse{UnprocessableJSONResponse: gen.UnprocessableJSONResponse(ruleBody(msgCountry))}, nil
	case isStopped(s.cfg.stopList, recipient):
		return gen.SendOtp422JSONResponse{UnprocessableJSONResponse: gen.UnprocessableJSONResponse(ruleBody(msgStopList))}, nil
	case s.cfg.pendingLimit > 0 && s.pending >= s.cfg.pendingLimit:
		return gen.SendOtp422JSONResponse{UnprocessableJSONResponse: gen.UnprocessableJSONResponse(ruleBody(msgPendingLimit))}, nil
	case s.cfg.totalLimit > 0 && s.total >= s.cfg.totalLimit:
		return gen.SendOtp422JSONResponse{UnprocessableJSONResponse: gen.UnprocessableJSONResponse(ruleBody(msgTotalLimit))}, nil
	case s.cfg.balanceSet && s.balance < s.cfg.messagePrice:
		return gen.SendOtp402JSONResponse{PaymentRequiredJSONResponse: gen.PaymentRequiredJSONResponse(ruleBody(msgInsufficientFunds))}, nil
	}
	if _, taken := s.sessions[id]; taken {
		// Only a custom random source that repeats itself gets here.
		return gen.SendOtp422JSONResponse{UnprocessableJSONResponse: gen.UnprocessableJSONResponse(ruleBody(msgServiceError))}, nil
	}
	s.seq++
	a := &session{
		id:        id,
		recipient: recipient,
		channel:   b.channel,
		sender:    b.sender,
		senderAlt: b.senderAlt,
		text:      t.shownText,
		codeAt:    t.codeAt,
		lifetime:  b.lifetime,
		maxTries:  b.maxTries,
		digits:    b.digits,
		country:   country,
		status:    gen.AuthenticationStatusPending,
		created:   now,
		expires:   now.Add(time.Duration(b.lifetime) * time.Second),
		updated:   now,
		seq:       s.seq,
		heapIndex: -1,
	}
	s.sessions[id] = a
	s.created.insert(a)
	heap.Push(&s.expiry, a)
	s.pending++
	s.total++
	s.sendLocked(ctx, a, code, now)
	return gen.SendOtp201JSONResponse{Data: s.authToAPI(a, now, false)}, nil
}

// sendLocked records one message carrying code and charges it.
func (s *Server) sendLocked(ctx context.Context, a *session, code string, now time.Time) {
	s.nextMsgID++
	a.code = code
	n, _ := strconv.ParseUint(code, 10, 32) // at most maxCodeDigits digits: fits
	switch {
	case len(a.messages) == maxMessagesPerSession:
		copy(a.messages, a.messages[1:])
		a.messages = a.messages[:len(a.messages)-1]
	case len(a.messages) == cap(a.messages):
		// Grow by doubling, but never past the bound: append would round 20 up to 32.
		grown := make([]message, len(a.messages), min(max(2*cap(a.messages), 1), maxMessagesPerSession))
		copy(grown, a.messages)
		a.messages = grown
	}
	a.messages = append(a.messages, message{id: s.nextMsgID, created: now, code: uint32(n)})
	s.lastSent[a.recipient] = a
	if s.cfg.balanceSet {
		s.balance -= s.cfg.messagePrice
	}
	if l := s.cfg.logger; l != nil {
		l.LogAttrs(ctx, slog.LevelInfo, "code sent",
			slog.String("authentication_id", a.id), slog.String("recipient", phone.Mask(a.recipient)),
			slog.String("channel", a.channel), slog.String("code", code))
	}
}

func isStopped(list map[string]struct{}, number string) bool {
	_, ok := list[number]
	return ok
}

// finishedMessage names why a finished session refuses resend and cancel.
func finishedMessage(st gen.AuthenticationStatus) string {
	switch st {
	case gen.AuthenticationStatusFailed:
		return msgFailedStatus
	case gen.AuthenticationStatusCanceled:
		return msgCanceledStatus
	case gen.AuthenticationStatusExpired:
		return msgExpired
	default:
		return msgInvalidStatus
	}
}

// lookupLocked finds a session and brings its expiry up to date. It sweeps first, so a
// session past its retention is not found even when no send or list has swept since.
func (s *Server) lookupLocked(id string, now time.Time) (*session, bool) {
	s.sweepLocked(now)
	a, ok := s.sessions[id]
	if ok {
		s.expireLocked(a, now)
	}
	return a, ok
}

// ResendOtp sends a new code for a pending session: the old code stops working, a new message
// is recorded and the code lifetime starts again. Wrong attempts already made still count.
func (h *handlers) ResendOtp(ctx context.Context, req gen.ResendOtpRequestObject) (gen.ResendOtpResponseObject, error) {
	s := h.s
	s.mu.Lock()
	digits := 0
	if a, ok := s.sessions[req.Id]; ok {
		digits = a.digits
	}
	s.mu.Unlock()
	code := ""
	if digits > 0 {
		var err error
		if code, err = s.newCode(digits); err != nil {
			return nil, err
		}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	a, ok := s.lookupLocked(req.Id, now)
	if !ok || code == "" {
		return gen.ResendOtp404JSONResponse{NotFoundJSONResponse: gen.NotFoundJSONResponse(ruleBody(msgAuthNotFound))}, nil
	}
	if a.status != gen.AuthenticationStatusPending {
		return gen.ResendOtp422JSONResponse{UnprocessableJSONResponse: gen.UnprocessableJSONResponse(ruleBody(finishedMessage(a.status)))}, nil
	}
	if s.cfg.balanceSet && s.balance < s.cfg.messagePrice {
		return gen.ResendOtp402JSONResponse{PaymentRequiredJSONResponse: gen.PaymentRequiredJSONResponse(ruleBody(msgInsufficientFunds))}, nil
	}
	a.expires = now.Add(time.Duration(a.lifetime) * time.Second)
	a.updated = now
	heap.Fix(&s.expiry, a.heapIndex)
	s.sendLocked(ctx, a, code, now)
	return gen.ResendOtp200JSONResponse{Data: s.authToAPI(a, now, false)}, nil
}

// VerifyOtp checks a code in constant time. A wrong code counts as an attempt (404); the
// code_max_tries-th wrong attempt fails the session (422). A session already finished answers
// 422: "Access code expired" when it expired, "Authentication failed status" or
// "Authentication canceled status" when it failed or was canceled, and "Authentication
// invalid status" when it was verified already.
func (h *handlers) VerifyOtp(ctx context.Context, req gen.VerifyOtpRequestObject) (gen.VerifyOtpResponseObject, error) {
	s := h.s
	given, quoted, ok := parseAccessCode(ctx)
	if !ok {
		return gen.VerifyOtp422JSONResponse{UnprocessableJSONResponse: unprocessable("access_code", "The access code format is invalid.").UnprocessableJSONResponse}, nil
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	a, ok := s.lookupLocked(req.Id, now)
	if !ok {
		return gen.VerifyOtp404JSONResponse{NotFoundJSONResponse: gen.NotFoundJSONResponse(ruleBody(msgAuthNotFound))}, nil
	}
	switch a.status {
	case gen.AuthenticationStatusPending:
	case gen.AuthenticationStatusExpired:
		return gen.VerifyOtp422JSONResponse{UnprocessableJSONResponse: gen.UnprocessableJSONResponse(ruleBody(msgCodeExpired))}, nil
	default:
		return gen.VerifyOtp422JSONResponse{UnprocessableJSONResponse: gen.UnprocessableJSONResponse(ruleBody(finishedMessage(a.status)))}, nil
	}
	// An integer loses the code's leading zeros; put them back before comparing.
	if !quoted && len(given) < a.digits {
		given = strings.Repeat("0", a.digits-len(given)) + given
	}
	if subtle.ConstantTimeCompare([]byte(given), []byte(a.code)) == 1 {
		a.price = s.cfg.authPrice
		if s.cfg.balanceSet {
			s.balance -= s.cfg.authPrice
		}
		s.finishLocked(a, gen.AuthenticationStatusVerified, now)
		return gen.VerifyOtp200JSONResponse{Data: s.authToAPI(a, now, false)}, nil
	}
	a.tries++
	a.updated = now
	if a.tries >= a.maxTries {
		s.finishLocked(a, gen.AuthenticationStatusFailed, now)
		return gen.VerifyOtp422JSONResponse{UnprocessableJSONResponse: gen.UnprocessableJSONResponse(ruleBody(msgAttemptsLimit))}, nil
	}
	return gen.VerifyOtp404JSONResponse{NotFoundJSONResponse: gen.NotFoundJSONResponse(ruleBody(msgCodeMismatch))}, nil
}

// CancelOtp cancels a pending session; its price stays "0".
func (h *handlers) CancelOtp(_ context.Context, req gen.CancelOtpRequestObject) (gen.CancelOtpResponseObject, error) {
	s := h.s
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	a, ok := s.lookupLocked(req.Id, now)
	if !ok {
		return gen.CancelOtp404JSONResponse{NotFoundJSONResponse: gen.NotFoundJSONResponse(ruleBody(msgAuthNotFound))}, nil
	}
	if a.status != gen.AuthenticationStatusPending {
		return gen.CancelOtp422JSONResponse{UnprocessableJSONResponse: gen.UnprocessableJSONResponse(ruleBody(finishedMessage(a.status)))}, nil
	}
	s.finishLocked(a, gen.AuthenticationStatusCanceled, now)
	return gen.CancelOtp200JSONResponse{Data: s.authToAPI(a, now, false)}, nil
}

// GetAuthentication answers one session with its messages.
func (h *handlers) GetAuthentication(_ context.Context, req gen.GetAuthenticationRequestObject) (gen.GetAuthenticationResponseObject, error) {
	s := h.s
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	a, ok := s.lookupLocked(req.Id, now)
	if !ok {
		return gen.GetAuthentication404JSONResponse{NotFoundJSONResponse: gen.NotFoundJSONResponse(ruleBody(msgAuthNotFound))}, nil
	}
	return gen.GetAuthentication200JSONResponse{Data: s.authToAPI(a, now, true)}, nil
}

// ListAuthentications pages through the sessions created in [filter[from], filter[to]]: a
// date covers its whole day (UTC), a date-time is taken as an instant, both ends inclusive.
func (h *handlers) ListAuthentications(_ context.Context, req gen.ListAuthenticationsRequestObject) (gen.ListAuthenticationsResponseObject, error) {
	s, p := h.s, req.Params
	from, ok := parseBound(p.FilterFrom, false)
	if !ok {
		return listInvalid("filter[from]"), nil
	}
	to, ok := parseBound(p.FilterTo, true)
	if !ok {
		return listInvalid("filter[to]"), nil
	}

	sortBy, desc := deref(p.Sort), deref(p.Way) == gen.SortWayDesc
	offset, limit := max(deref(p.PageOffset), 0), deref(p.PageLimit)
	if limit <= 0 {
		limit = 10
	}
	byCreation := sortBy == "" || sortBy == gen.ListAuthenticationsParamsSortCreatedAt
	filtered := p.FilterIds != nil || p.FilterStatus != nil || p.FilterChannel != nil ||
		p.FilterRecipient != nil || p.FilterCountryCode != nil

	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.sweepLocked(now)
	// Creation times are compared by the second, as the answers write them: [from, to+1s).
	lo, hi := s.created.rank(from), s.created.rank(to.Add(time.Second))
	var page []*session
	total := max(hi-lo, 0)
	if byCreation && !filtered {
		// The common list: the page is read straight from the index, O(page + log n). Offset
		// and limit are held to the range first, so no client number can overflow the sums.
		offset, limit := min(offset, total), min(limit, total)
		start, end := lo+offset, min(hi, lo+offset+limit)
		if desc {
			start, end = max(lo, hi-offset-limit), hi-offset
		}
		s.created.walk(start, end, desc, func(a *session) bool {
			page = append(page, a)
			return true
		})
	} else {
		var matched []*session
		s.created.walk(lo, hi, desc && byCreation, func(a *session) bool {
			switch {
			case p.FilterIds != nil && !slices.Contains(*p.FilterIds, a.id):
			case p.FilterStatus != nil && a.status != *p.FilterStatus:
			case p.FilterChannel != nil && !strings.EqualFold(a.channel, *p.FilterChannel):
			case p.FilterRecipient != nil && a.recipient != *p.FilterRecipient:
			case p.FilterCountryCode != nil && !strings.EqualFold(a.country, *p.FilterCountryCode):
			default:
				matched = append(matched, a)
			}
			return true
		})
		if !byCreation {
			slices.SortFunc(matched, authCompare(sortBy, desc))
		}
		total = len(matched)
		page = pageOf(matched, offset, limit)
	}
	list := make([]gen.Authentication, 0, len(page))
	for _, a := range page {
		list = append(list, s.authToAPI(a, now, true))
	}
	return gen.ListAuthentications200JSONResponse{Data: gen.AuthenticationList{List: list, Total: total}}, nil
}

func listInvalid(field string) gen.ListAuthentications422JSONResponse {
	var list gen.ErrorList
	_ = list.FromErrorList2(gen.ErrorList2{field: {"The " + field + " is not a valid date."}})
	return gen.ListAuthentications422JSONResponse{UnprocessableJSONResponse: gen.UnprocessableJSONResponse{Message: "The given data was invalid.", Errors: &list}}
}

// deref reads an optional parameter; absent reads as the zero value, which every caller
// treats as the documented default.
func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func pageOf[T any](items []T, offset, limit int) []T {
	if limit <= 0 {
		limit = 10
	}
	offset = max(offset, 0)
	if offset >= len(items) {
		return nil
	}
	return items[offset:min(len(items), offset+limit)]
}

func authCompare(field gen.ListAuthenticationsParamsSort, desc bool) func(a, b *session) int {
	key := func(a, b *session) int {
		switch field {
		case gen.ListAuthenticationsParamsSortId:
			return cmp.Compare(a.id, b.id)
		case gen.ListAuthenticationsParamsSortStatus:
			return cmp.Compare(a.status, b.status)
		case gen.ListAuthenticationsParamsSortChannel:
			return cmp.Compare(a.channel, b.channel)
		case gen.ListAuthenticationsParamsSortRecipient:
			return cmp.Compare(a.recipient, b.recipient)
		case gen.ListAuthenticationsParamsSortFinishedAt:
			return a.finished.Compare(b.finished)
		case gen.ListAuthenticationsParamsSortCountryCode:
			return cmp.Compare(a.country, b.country)
		}
		return 0
	}
	return func(a, b *session) int {
		c := key(a, b)
		if c == 0 {
			c = a.created.Compare(b.created)
		}
		if c == 0 {
			c = cmp.Compare(a.seq, b.seq)
		}
		if desc {
			return -c
		}
		return c
	}
}

// parseBound reads a list bound: a date ("2024-05-01") stands for its first second as a lower
// bound and its last second as an upper bound; a date-time is an instant (UTC when no zone).
func parseBound(v string, upper bool) (time.Time, bool) {
	if len(v) == len("2006-01-02") {
		d, err := time.Parse("2006-01-02", v)
		if err != nil {
			return time.Time{}, false
		}
		if upper {
			d = d.Add(24*time.Hour - time.Second)
		}
		return d, true
	}
	if len(v) > 10 && v[10] == ' ' {
		v = v[:10] + "T" + v[11:]
	}
	for _, layout := range []string{
		"2006-01-02T15:04:05Z07:00", "2006-01-02T15:04:05Z0700", "2006-01-02T15:04:05",
		"2006-01-02T15:04Z07:00", "2006-01-02T15:04Z0700", "2006-01-02T15:04",
	} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC().Truncate(time.Second), true
		}
	}
	return time.Time{}, false
}

// authToAPI renders a session. Messages read "accepted" until the delivery delay has passed
// by the sandbox clock, then "delivered" with sent_at set.
func (s *Server) authToAPI(a *session, now time.Time, withMessages bool) gen.Authentication {
	out := gen.Authentication{
		Id:           a.id,
		Recipient:    a.recipient,
		Status:       a.status,
		Channel:      a.channel,
		Sender:       a.sender,
		MessageText:  a.text,
		CodeLifetime: a.lifetime,
		CodeMaxTries: a.maxTries,
		CodeDigits:   a.digits,
		Price:        commaPrice(a.price),
		Currency:     s.cfg.currency,
		CountryCode:  a.country,
		ExpiredAt:    ts(a.expires),
		CreatedAt:    ts(a.created),
		UpdatedAt:    ts(a.updated),
	}
	if a.senderAlt != "" {
		alt := a.senderAlt
		out.SenderAlt = &alt
	}
	if !a.finished.IsZero() {
		f := ts(a.finished)
		out.FinishedAt = &f
	}
	if withMessages {
		out.Messages = make([]gen.Message, 0, len(a.messages))
		for _, m := range a.messages {
			msg := gen.Message{
				Recipient: a.recipient,
				Status:    gen.MessageStatusAccepted,
				Channel:   a.channel,
				Sender:    a.sender,
				Text:      a.text,
				Currency:  s.cfg.currency,
				CreatedAt: ts(m.created),
			}
			_ = msg.Id.FromMessageId0(m.id)
			_ = msg.Price.UnmarshalJSON(s.messagePriceJSON())
			if sent := m.created.Add(s.cfg.deliveryDelay); !now.Before(sent) {
				msg.Status = gen.MessageStatusDelivered
				at := ts(sent)
				msg.SentAt = &at
			}
			out.Messages = append(out.Messages, msg)
		}
	}
	return out
}

func (s *Server) messagePriceJSON() []byte {
	return []byte(formatMoney(s.cfg.messagePrice, '.'))
}

func (t *template) toAPI() gen.Template {
	out := gen.Template{
		Name:      t.name,
		Text:      t.text,
		Status:    t.status,
		UpdatedAt: ts(t.updated),
	}
	if len(t.countries) > 0 {
		out.Countries = slices.Clone(t.countries)
	}
	_ = out.TemplateId.FromTemplateIdNumber(t.id)
	return out
}

func templateNotFound() gen.NotFoundJSONResponse {
	return gen.NotFoundJSONResponse(ruleBody(msgTemplateNotFound))
}

// CreateTemplate stores a template in status "requested", under the documented rules.
func (h *handlers) CreateTemplate(ctx context.Context, _ gen.CreateTemplateRequestObject) (gen.CreateTemplateResponseObject, error) {
	s := h.s
	refuse := func(msg string) (gen.CreateTemplateResponseObject, error) {
		return gen.CreateTemplate422JSONResponse{UnprocessableJSONResponse: gen.UnprocessableJSONResponse(ruleBody(msg))}, nil
	}
	b, bad := parseTemplate(ctx)
	if bad != "" {
		return gen.CreateTemplate422JSONResponse{UnprocessableJSONResponse: unprocessable(bad, fmt.Sprintf("The %s format is invalid.", attr(bad))).UnprocessableJSONResponse}, nil
	}
	switch n := strings.Count(b.text, codeVar); {
	case n == 0:
		return refuse(msgCodeRequired)
	case n > 1:
		return refuse(msgCodeOnce)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	requested := 0
	var oldestRejected *template
	for _, t := range s.templates {
		if t.name == b.name {
			return refuse(msgTemplateName)
		}
		switch t.status {
		case gen.TemplateStatusRequested:
			requested++
		case gen.TemplateStatusRejected:
			if oldestRejected == nil || t.id < oldestRejected.id {
				oldestRejected = t
			}
		}
	}
	if requested >= maxRequested {
		return refuse(msgTooManyRequested)
	}
	if len(s.templates) >= maxTemplates {
		if oldestRejected == nil {
			return refuse(msgTemplateLimit)
		}
		// A rejected template can never send; the oldest makes room for the new request.
		delete(s.templates, oldestRejected.id)
	}
	if s.nextTmplID > maxTemplateID {
		return refuse(msgServiceError)
	}
	t := newTemplate(s.nextTmplID, b.name, b.text, b.countries, gen.TemplateStatusRequested, s.now())
	s.nextTmplID++
	s.templates[t.id] = t
	return gen.CreateTemplate200JSONResponse{Data: t.toAPI()}, nil
}

// GetTemplate answers one template.
func (h *handlers) GetTemplate(_ context.Context, req gen.GetTemplateRequestObject) (gen.GetTemplateResponseObject, error) {
	s := h.s
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.templates[req.TemplateId]
	if !ok {
		return gen.GetTemplate404JSONResponse{NotFoundJSONResponse: templateNotFound()}, nil
	}
	return gen.GetTemplate200JSONResponse{Data: t.toAPI()}, nil
}

// DeleteTemplate removes a template; later reads answer 404. The default template stays.
func (h *handlers) DeleteTemplate(_ context.Context, req gen.DeleteTemplateRequestObject) (gen.DeleteTemplateResponseObject, error) {
	s := h.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.templates[req.TemplateId]; !ok {
		return gen.DeleteTemplate404JSONResponse{NotFoundJSONResponse: templateNotFound()}, nil
	}
	if req.TemplateId == defaultTemplateID {
		return gen.DeleteTemplate422JSONResponse{UnprocessableJSONResponse: gen.UnprocessableJSONResponse(ruleBody(msgDefaultTemplate))}, nil
	}
	delete(s.templates, req.TemplateId)
	var done gen.DeleteTemplateResult0
	done.Data.Status = "Successfully removed"
	var out gen.DeleteTemplateResult
	_ = out.FromDeleteTemplateResult0(done)
	return gen.DeleteTemplate200JSONResponse(out), nil
}

// ListTemplates answers in the documentation page's shape, {"data":[…],"total":N}.
func (h *handlers) ListTemplates(_ context.Context, req gen.ListTemplatesRequestObject) (gen.ListTemplatesResponseObject, error) {
	s, p := h.s, req.Params
	s.mu.Lock()
	var matched []*template
	for _, t := range s.templates {
		if p.FilterIds != nil && !slices.Contains(*p.FilterIds, t.id) {
			continue
		}
		if p.FilterStatus != nil && t.status != *p.FilterStatus {
			continue
		}
		matched = append(matched, t)
	}
	sortBy, desc := deref(p.Sort), deref(p.Way) == gen.SortWayDesc
	slices.SortFunc(matched, func(a, b *template) int {
		c := 0
		switch sortBy {
		case gen.ListTemplatesParamsSortStatus:
			c = cmp.Compare(a.status, b.status)
		case gen.ListTemplatesParamsSortName:
			c = cmp.Compare(a.name, b.name)
		case gen.ListTemplatesParamsSortTemplateId:
		default:
			c = a.updated.Compare(b.updated)
		}
		if c == 0 {
			c = cmp.Compare(a.id, b.id)
		}
		if desc {
			return -c
		}
		return c
	})
	page := pageOf(matched, deref(p.PageOffset), deref(p.PageLimit))
	list := make([]gen.Template, 0, len(page))
	for _, t := range page {
		list = append(list, t.toAPI())
	}
	s.mu.Unlock()
	var data gen.TemplateListResponse_Data
	_ = data.FromTemplateListResponseData0(list)
	return gen.ListTemplates200JSONResponse{Data: data, Total: len(matched)}, nil
}
