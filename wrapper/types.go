package wrapper

import "time"

// SendOTPRequest is what SendOTP needs to create an authentication session.
type SendOTPRequest struct {
	// Recipient is the phone number in international form. "+", spaces, '-', '.', '(' and ')'
	// are stripped; what remains must be 9 to 15 digits.
	Recipient string
	// Channel is ChannelSMS or ChannelViber.
	Channel Channel
	// Sender is 3 to 11 Latin letters, digits, symbols or spaces, or 3 to 15 digits.
	Sender string
	// SenderAlt is the SMS sender used when a Viber message cannot be delivered (Viber only),
	// with the same rules as Sender.
	SenderAlt string
	// TemplateID is an approved template, 1 to 999999999.
	TemplateID int
	// CodeLifetime is how long the code stays valid: 30s to 300s in whole seconds; zero means 5m.
	CodeLifetime time.Duration
	// CodeMaxTries is how many verification attempts the session allows: 1 to 5; zero means 3.
	CodeMaxTries int
	// CodeDigits is the length of the code: 3 to 9; zero means 6.
	CodeDigits int
}

// ListAuthenticationsRequest selects the sessions ListAuthentications and
// ListAuthenticationsPage return.
type ListAuthenticationsRequest struct {
	// From and To bound the creation date, both required, From <= To. They are sent as
	// dates (YYYY-MM-DD, UTC), and each covers its whole day.
	From, To time.Time
	// Offset is how many sessions to skip. Limit is the page size, 10 to 500; zero means 100.
	Offset, Limit int
	// IDs selects at most 3 sessions by id.
	IDs []string
	// Status, Channel, Recipient and CountryCode filter when set.
	Status      Status
	Channel     Channel
	Recipient   string
	CountryCode string
	// SortBy is one of id, status, channel, recipient, created_at, finished_at, country_code.
	SortBy string
	// Order is Asc or Desc.
	Order SortOrder
}

// AuthenticationPage is one page of sessions and the total that match the filters.
type AuthenticationPage struct {
	// Items are the sessions of this page, in the order asked for; empty past the end.
	Items []Authentication
	// Total is how many sessions match the filters in all pages, as the service counts
	// them; when the service gives no usable total, it is at least what the pages read so
	// far prove.
	Total int
}

// ListTemplatesRequest selects the templates ListTemplates and ListTemplatesPage return.
type ListTemplatesRequest struct {
	// Offset is how many templates to skip. Limit is the page size, 10 to 500; zero means 100.
	Offset, Limit int
	// IDs selects templates by id.
	IDs []int
	// Status filters by moderation state when set.
	Status TemplateStatus
	// SortBy is one of template_id, status, name, updated_at.
	SortBy string
	// Order is Asc or Desc.
	Order SortOrder
}

// TemplatePage is one page of templates and the total that match the filters.
type TemplatePage struct {
	// Items are the templates of this page, in the order asked for; empty past the end.
	Items []Template
	// Total is how many templates match the filters in all pages, as the service counts
	// them; when the service gives no usable total, it is at least what the pages read so
	// far prove.
	Total int
}

// CreateTemplateRequest asks for a new message template.
type CreateTemplateRequest struct {
	// Name is 3 to 50 characters, unique in the account.
	Name string
	// Text is 9 to 70 characters with exactly one {code2fa}.
	Text string
	// Countries are ISO 3166-1 alpha-2 codes the template may send to.
	Countries []string
}

// Authentication is one authentication session as the service reports it.
type Authentication struct {
	// ID identifies the session: the id to resend, verify, cancel or read it with.
	ID string
	// Recipient is the phone number the codes go to, digits only, as SendOTP sent it.
	Recipient string
	// Status is where the session stands: StatusPending until it ends as verified, expired,
	// failed (the attempts ran out) or canceled. Values the service adds later are kept.
	Status Status
	// Channel is how the codes travel: ChannelSMS or ChannelViber.
	Channel Channel
	// Sender is the sender name or number the messages come from.
	Sender string
	// SenderAlt is the SMS sender used when a Viber message cannot be delivered; empty when
	// none was given (or the service answered null).
	SenderAlt string
	// MessageText is the template's text as the service sent it, with "{code}" where the
	// code was: the code itself never appears in an answer.
	MessageText string
	// CodeLifetime is how long each code stays valid after it is sent (30s to 300s).
	CodeLifetime time.Duration
	// CodeMaxTries is how many verification attempts the session allows in all; the
	// attempt that uses up the last one ends the session as failed.
	CodeMaxTries int
	// CodeDigits is the length of the codes.
	CodeDigits int
	// Price is what the authentication itself costs, excluding the cost of the messages
	// (see Message.Price). It is "0" until the session is verified; a canceled session
	// costs 0.
	Price Price
	// Currency is the three-letter code of Price's currency: the account's currency.
	Currency string
	// CountryCode is the recipient's country (ISO 3166-1 alpha-2) as the service works it
	// out from the number's calling code ("XX" when the number matches no country).
	CountryCode string
	// ExpiredAt is when the current code expires (UTC). A resend sends a new code and
	// moves it on; it is not the end of the session.
	ExpiredAt time.Time
	// CreatedAt is when the session was created (UTC).
	CreatedAt time.Time
	// UpdatedAt is when the session last changed (UTC); zero when the answer leaves it out
	// (only some answers carry it).
	UpdatedAt time.Time
	// FinishedAt is when the session ended (UTC): verified, expired, failed or canceled.
	// Zero while it is pending.
	FinishedAt time.Time
	// Messages are the SMS and Viber messages sent for the session (a resend adds one).
	// GetAuthentication carries them; answers that leave them out give nil.
	Messages []Message
}

// Message is one SMS or Viber message sent for a session.
type Message struct {
	// ID identifies the message at the service; an integer id becomes its decimal string.
	ID string
	// Recipient is the phone number the message went to, digits only.
	Recipient string
	// Status is the delivery state: MessageAccepted (taken for sending), MessageSent,
	// MessageDelivered or MessageUndelivered. Values the service adds later are kept.
	Status MessageStatus
	// Channel is the channel the message went by: a Viber session's SMS fallback is
	// ChannelSMS.
	Channel Channel
	// Sender is the sender name or number the message came from.
	Sender string
	// Text is the message as sent, with "{code}" where the code was.
	Text string
	// Price is what the message costs, apart from the session's own price.
	Price Price
	// Currency is the three-letter code of Price's currency.
	Currency string
	// SentAt is when the message was sent (UTC); zero until it is.
	SentAt time.Time
	// CreatedAt is when the service took the message (UTC).
	CreatedAt time.Time
}

// Template is a message template for one-time passwords.
type Template struct {
	// ID identifies the template: the TemplateID of SendOTPRequest.
	ID int
	// Name is the template's name, unique in the account.
	Name string
	// Text is the message text, with {code2fa} where the code goes.
	Text string
	// Countries are the ISO 3166-1 alpha-2 codes of the countries the template may send
	// to. Nil (or empty) means every country: the service leaves the list out for the
	// account's default template.
	Countries []string
	// Status is the moderation state: TemplateRequested after creation, TemplateApproved
	// once a manager approved it (only then can it send codes), TemplateRejected or
	// TemplateDeleted.
	Status TemplateStatus
	// UpdatedAt is when the template was created or last changed (UTC).
	UpdatedAt time.Time
}
