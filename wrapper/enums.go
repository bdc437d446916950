package wrapper

import "strings"

// Status is the state of an authentication session. Values the service adds later are kept
// as they come.
type Status string

// The session states the service documents.
const (
	StatusPending  Status = "pending"
	StatusVerified Status = "verified"
	StatusExpired  Status = "expired"
	StatusFailed   Status = "failed"
	StatusCanceled Status = "canceled"
)

// Final reports whether the session has ended: verified, expired, failed or canceled.
func (s Status) Final() bool {
	switch s {
	case StatusVerified, StatusExpired, StatusFailed, StatusCanceled:
		return true
	}
	return false
}

// Channel is how a one-time password travels.
type Channel string

// The channels the service offers.
const (
	ChannelSMS   Channel = "sms"
	ChannelViber Channel = "viber"
)

// parseChannel reads a channel in any letter case ("SMS", "Viber"); known values become
// their constants and anything else is kept as it came.
func parseChannel(s string) Channel {
	switch {
	case strings.EqualFold(s, string(ChannelSMS)):
		return ChannelSMS
	case strings.EqualFold(s, string(ChannelViber)):
		return ChannelViber
	}
	return Channel(s)
}

// MessageStatus is the delivery state of one message.
type MessageStatus string

// The message states the service documents.
const (
	MessageAccepted    MessageStatus = "accepted"
	MessageSent        MessageStatus = "sent"
	MessageDelivered   MessageStatus = "delivered"
	MessageUndelivered MessageStatus = "undelivered"
)

// TemplateStatus is the moderation state of a template.
type TemplateStatus string

// The template states the service documents.
const (
	TemplateRequested TemplateStatus = "requested"
	TemplateApproved  TemplateStatus = "approved"
	TemplateRejected  TemplateStatus = "rejected"
	TemplateDeleted   TemplateStatus = "deleted"
)

// SortOrder is the direction of a sorted list.
type SortOrder string

// The sort directions.
const (
	Asc  SortOrder = "asc"
	Desc SortOrder = "desc"
)
