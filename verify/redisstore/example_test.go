package redisstore_test

import (
	"log"

	"github.com/redis/go-redis/v9"

	"github.com/go-bsg/bsg2fa/verify"
	"github.com/go-bsg/bsg2fa/verify/redisstore"
	"github.com/go-bsg/bsg2fa/wrapper"
)

// Every replica of an application builds its Verifier on the same Redis; here a Cluster.
func ExampleNew() {
	client, err := wrapper.New("api-key")
	if err != nil {
		log.Fatal(err)
	}
	rdb := redis.NewClusterClient(&redis.ClusterOptions{
		Addrs: []string{"redis-0:6379", "redis-1:6379", "redis-2:6379"},
	})
	v, err := verify.New(client, verify.Config{
		Sender:     "MyShop",
		TemplateID: 42,
		Store:      redisstore.New(rdb, redisstore.WithPrefix("myshop:otp:")),
	})
	if err != nil {
		log.Fatal(err)
	}
	_ = v // serve v.Start and v.Check from the application's handlers
}
