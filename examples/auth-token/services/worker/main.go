package main

import (
	"net/http"
	"os"
	"time"
)

func main() {
	client := &http.Client{Timeout: 10 * time.Second}
	base := os.Getenv("API_BASE")
	if err := syncOrders(client, base, os.Getenv("SYNC_USER"), os.Getenv("SYNC_TOKEN")); err != nil {
		os.Exit(1)
	}
}
