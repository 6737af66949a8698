from flask import Flask, jsonify, request

from . import auth, orders, users

app = Flask(__name__)


def _token() -> str:
    header = request.headers.get("Authorization", "")
    return header.removeprefix("Bearer ")


@app.post("/login")
def login():
    body = request.get_json()
    return jsonify({"auth_token": auth.login(body["user"], body["password"])})


@app.get("/orders")
def get_orders():
    return jsonify(orders.list_orders(_token()))


@app.get("/me")
def me():
    return jsonify(users.profile(_token()))
