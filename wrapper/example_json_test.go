package wrapper_test

import (
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/go-bsg/bsg2fa/wrapper"
)

// A session encodes in the service's own field names and units, so it can be logged or
// cached as is, and read back unchanged.
func ExampleAuthentication_MarshalJSON() {
	price, _ := wrapper.ParsePrice("0,02")
	created := time.Date(2023, 1, 4, 17, 37, 6, 0, time.UTC)
	auth := wrapper.Authentication{
		ID: "bf4381c8-9d4a-4705-bd28-f89a830b7f96", Recipient: "380979965073",
		Status: wrapper.StatusPending, Channel: wrapper.ChannelSMS, Sender: "MyShop",
		CodeLifetime: 5 * time.Minute, CodeMaxTries: 3, CodeDigits: 6,
		Price: price, Currency: "USD", CountryCode: "UA",
		CreatedAt: created, ExpiredAt: created.Add(5 * time.Minute),
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(auth); err != nil {
		fmt.Println(err)
	}

	b, _ := json.Marshal(auth)
	var back wrapper.Authentication
	if err := json.Unmarshal(b, &back); err != nil {
		fmt.Println(err)
	}
	fmt.Println("unchanged:", back.ID == auth.ID && back.CodeLifetime == auth.CodeLifetime &&
		back.Price == auth.Price && back.CreatedAt.Equal(auth.CreatedAt) && back.FinishedAt.IsZero())
	// Output:
	// {
	//   "id": "bf4381c8-9d4a-4705-bd28-f89a830b7f96",
	//   "recipient": "380979965073",
	//   "status": "pending",
	//   "channel": "sms",
	//   "sender": "MyShop",
	//   "sender_alt": null,
	//   "message_text": "",
	//   "code_lifetime": 300,
	//   "code_max_tries": 3,
	//   "code_digits": 6,
	//   "price": "0.02",
	//   "currency": "USD",
	//   "country_code": "UA",
	//   "expired_at": "2023-01-04T17:42:06Z",
	//   "created_at": "2023-01-04T17:37:06Z",
	//   "updated_at": null,
	//   "finished_at": null,
	//   "messages": []
	// }
	// unchanged: true
}

// A list answer of the service, envelope and all, decodes into a page, with its
// "YYYY-MM-DD HH:MM:SS" times and string template ids.
func ExampleTemplatePage_UnmarshalJSON() {
	answer := `{"data": [{"template_id": "49", "name": "Login", "countries": ["UA"],
		"text": "Your code is {code2fa}.", "status": "approved", "updated_at": "2022-04-18 10:55:35"}],
		"total": 1}`
	var page wrapper.TemplatePage
	if err := json.Unmarshal([]byte(answer), &page); err != nil {
		fmt.Println(err)
		return
	}
	t := page.Items[0]
	fmt.Println(page.Total, t.ID, t.Name, t.Status, t.UpdatedAt)
	// Output: 1 49 Login approved 2022-04-18 10:55:35 +0000 UTC
}
