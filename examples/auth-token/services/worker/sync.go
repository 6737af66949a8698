package main

import (
	"net/http"
)

func syncOrders(client *http.Client, base string, user string, auth_token string) error {
	req, err := http.NewRequest("GET", base+"/orders", nil)
	if err != nil {
		return err
	}
	req.URL.RawQuery = "auth_token=" + auth_token
	logSession(user, auth_token)
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	logDone(user, auth_token)
	return nil
}
