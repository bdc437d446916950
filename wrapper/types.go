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
	Items []Authentication
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
	Items []Template
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
	ID, Recipient                               string
	Status                                      Status
	Channel                                     Channel
	Sender, SenderAlt, MessageText              string
	CodeLifetime                                time.Duration
	CodeMaxTries, CodeDigits                    int
	Price                                       Price
	Currency, CountryCode                       string
	ExpiredAt, CreatedAt, UpdatedAt, FinishedAt time.Time // zero when absent or null
	Messages                                    []Message
}

// Message is one SMS or Viber message sent for a session.
type Message struct {
	ID, Recipient     string // integer ids become their decimal string
	Status            MessageStatus
	Channel           Channel
	Sender, Text      string
	Price             Price
	Currency          string
	SentAt, CreatedAt time.Time // zero when absent or null
}

// Template is a message template for one-time passwords.
type Template struct {
	ID        int
	Name      string
	Text      string
	Countries []string
	Status    TemplateStatus
	UpdatedAt time.Time
}
