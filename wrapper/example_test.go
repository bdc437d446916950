package wrapper_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"time"

	"github.com/go-bsg/bsg2fa/internal/testkit"
	"github.com/go-bsg/bsg2fa/wrapper"
)

// exampleService starts a stand-in for the service: login plus the handlers given. The
// examples run against it so that their output is real.
func exampleService(handlers map[string]http.HandlerFunc) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/auth/login", func(w http.ResponseWriter, r *http.Request) {
		now := time.Now()
		answer(w, http.StatusOK, `{"bearer":"`+testkit.JWTAt(now, now.Add(time.Hour))+`"}`)
	})
	for pattern, h := range handlers {
		mux.HandleFunc(pattern, h)
	}
	return httptest.NewServer(mux)
}

func answer(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

func ExampleNew() {
	client, err := wrapper.New("live_XXXXXXXXXXXXXXXXXXXX",
		wrapper.WithMaxRetries(1),
		wrapper.WithTimeout(10*time.Second),
		wrapper.WithUserAgent("my-shop/1.4 "+"bsg2fa-go/"+wrapper.Version),
	)
	if err != nil {
		log.Fatal(err)
	}
	// Printing a client never shows its credentials.
	fmt.Println(client)

	_, err = wrapper.New("live_XXXXXXXXXXXXXXXXXXXX", wrapper.WithBaseURL("http://one-api.bsg.world"))
	fmt.Println(err)
	// Output:
	// bsg2fa.Client{baseURL: https://one-api.bsg.world, credentials: REDACTED}
	// bsg2fa: New: WithBaseURL: http:// is allowed only for loopback hosts; use https://
}

// Send a code, then verify what the user typed, telling a typo from the end of the session.
func Example_sendAndVerify() {
	const sent = "52817"
	srv := exampleService(map[string]http.HandlerFunc{
		"POST /api/2fa/authentications/otp": func(w http.ResponseWriter, r *http.Request) {
			answer(w, http.StatusCreated, `{"data":{"id":"bf4381c8-9d4a-4705-bd28-f89a830b7f96","recipient":"380979965073",
"status":"pending","channel":"sms","sender":"SHOP","sender_alt":null,"code_lifetime":300,"code_max_tries":3,
"code_digits":5,"price":"0,02","currency":"USD","country_code":"UA","expired_at":"2023-01-04 18:37:06",
"created_at":"2023-01-04 17:37:06","finished_at":null}}`)
		},
		"POST /api/2fa/authentications/otp/{id}/verify": func(w http.ResponseWriter, r *http.Request) {
			var body struct {
				AccessCode string `json:"access_code"`
			}
			_ = json.NewDecoder(r.Body).Decode(&body)
			if body.AccessCode != sent {
				answer(w, http.StatusNotFound, `{"errors":[{"message":"The code does not match the expected value"}]}`)
				return
			}
			answer(w, http.StatusOK, `{"data":{"id":"bf4381c8-9d4a-4705-bd28-f89a830b7f96","recipient":"380979965073",
"status":"verified","channel":"sms","sender":"SHOP","sender_alt":null,"code_lifetime":300,"code_max_tries":3,
"code_digits":5,"price":"0,02","currency":"USD","country_code":"UA","expired_at":"2023-01-04 18:37:06",
"created_at":"2023-01-04 17:37:06","finished_at":"2023-01-04 17:38:10"}}`)
		},
	})
	defer srv.Close()

	ctx := context.Background()
	client, err := wrapper.New("live_XXXXXXXXXXXXXXXXXXXX", wrapper.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}
	auth, err := client.SendOTP(ctx, wrapper.SendOTPRequest{
		Recipient:  "+380 97 996 5073",
		Channel:    wrapper.ChannelSMS,
		Sender:     "SHOP",
		TemplateID: 12,
		CodeDigits: 5,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("sent:", auth.Status, "price", auth.Price, auth.Currency)

	for _, typed := range []string{"52871", sent} {
		verified, err := client.VerifyOTP(ctx, auth.ID, typed)
		switch {
		case err == nil:
			fmt.Println("verified at", verified.FinishedAt.Format(time.DateTime))
		case errors.Is(err, wrapper.ErrWrongCode):
			fmt.Println("wrong code, try again")
		case errors.Is(err, wrapper.ErrCodeExpired), errors.Is(err, wrapper.ErrAttemptsExceeded):
			fmt.Println("send a new code")
		default:
			var apiErr *wrapper.APIError
			if errors.As(err, &apiErr) {
				fmt.Println("service answered", apiErr.StatusCode)
			}
			log.Fatal(err)
		}
	}
	// Output:
	// sent: pending price 0.02 USD
	// wrong code, try again
	// verified at 2023-01-04 17:38:10
}

func ExampleClient_ListAuthentications() {
	srv := exampleService(map[string]http.HandlerFunc{
		"GET /api/2fa/authentications": func(w http.ResponseWriter, r *http.Request) {
			const total = 25
			offset, _ := strconv.Atoi(r.URL.Query().Get("page[offset]"))
			limit, _ := strconv.Atoi(r.URL.Query().Get("page[limit]"))
			var items []string
			for i := offset; i < min(offset+limit, total); i++ {
				status := "verified"
				if i%10 == 3 {
					status = "expired"
				}
				items = append(items, fmt.Sprintf(`{"id":"s%02d","recipient":"380979965073","status":%q,"channel":"sms",
"sender":"SHOP","sender_alt":null,"code_lifetime":300,"code_max_tries":3,"code_digits":5,"price":0.02,
"currency":"USD","country_code":"UA","expired_at":"2023-01-04 18:37:06","created_at":"2023-01-04 17:37:06",
"finished_at":null}`, i, status))
			}
			answer(w, http.StatusOK, fmt.Sprintf(`{"data":{"list":[%s],"total":%d}}`, strings.Join(items, ","), total))
		},
	})
	defer srv.Close()

	client, err := wrapper.New("live_XXXXXXXXXXXXXXXXXXXX", wrapper.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}
	req := wrapper.ListAuthenticationsRequest{
		From:  time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC),
		To:    time.Date(2023, 1, 31, 0, 0, 0, 0, time.UTC),
		Limit: 10, // page size: three requests for 25 sessions
	}
	var spent wrapper.Price
	count := 0
	for a, err := range client.ListAuthentications(context.Background(), req) {
		if err != nil {
			log.Fatal(err)
		}
		count++
		spent = spent.Add(a.Price)
		if a.Status == wrapper.StatusExpired {
			fmt.Println("expired:", a.ID)
		}
	}
	fmt.Println(count, "sessions, spent", spent)
	// Output:
	// expired: s03
	// expired: s13
	// expired: s23
	// 25 sessions, spent 0.5
}

func ExampleClient_CreateTemplate() {
	srv := exampleService(map[string]http.HandlerFunc{
		"POST /api/2fa/authentications/templates": func(w http.ResponseWriter, r *http.Request) {
			answer(w, http.StatusOK, `{"data":{"template_id":515,"name":"login code","text":"Your code is {code2fa}",
"countries":["UA","PT"],"status":"requested","updated_at":"2023-06-30 14:52:58"}}`)
		},
		"GET /api/2fa/authentications/templates": func(w http.ResponseWriter, r *http.Request) {
			answer(w, http.StatusOK, `{"data":[{"template_id":"49","name":"Default","status":"approved"},
{"template_id":515,"name":"login code","status":"requested"}],"total":2}`)
		},
		"DELETE /api/2fa/authentications/templates/{templateId}": func(w http.ResponseWriter, r *http.Request) {
			if r.PathValue("templateId") == "49" {
				answer(w, http.StatusUnprocessableEntity, `{"message":"The given data was invalid.","errors":["Default template is not available for deletion"]}`)
				return
			}
			answer(w, http.StatusOK, `{"data":{"status":"Successfully removed"}}`)
		},
	})
	defer srv.Close()

	ctx := context.Background()
	client, err := wrapper.New("live_XXXXXXXXXXXXXXXXXXXX", wrapper.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}
	tpl, err := client.CreateTemplate(ctx, wrapper.CreateTemplateRequest{
		Name:      "login code",
		Text:      "Your code is {code2fa}",
		Countries: []string{"UA", "PT"},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("created", tpl.ID, tpl.Status)

	for t, err := range client.ListTemplates(ctx, wrapper.ListTemplatesRequest{}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(t.ID, t.Name, t.Status)
	}

	err = client.DeleteTemplate(ctx, 49)
	fmt.Println("delete default:", errors.Is(err, wrapper.ErrDefaultTemplate))
	fmt.Println("delete 515:", client.DeleteTemplate(ctx, 515))
	// Output:
	// created 515 requested
	// 49 Default approved
	// 515 login code requested
	// delete default: true
	// delete 515: <nil>
}
