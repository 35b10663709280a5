//! poc-localchain: a development chain for the TypeScript side.
//!
//! It hosts solana-program-test's bank with poc-network loaded natively (SPL Token and the
//! ATA program run as their bundled SBF binaries) and serves a subset of the Solana JSON-RPC
//! API over HTTP, plus the signature subscription of the PubSub API over WebSocket on the same
//! port (and on port+1, where @solana/web3.js looks by default). So `Connection`,
//! `AnchorProvider` and `Program` work unchanged: the same code path as against a cluster.
//! State lives in memory only and is lost when the process exits.
//!
//! Usage: poc-localchain [--host 127.0.0.1] [--port 8899] [--upgrade-authority <pubkey>]
//!                       [--exit-on-stdin-close] [--verbose]
//! With --port 0 a free port is chosen. Once serving, "LISTENING <port>" is printed on stdout.
//! `--upgrade-authority` gives the program a ProgramData account naming that key as upgrade
//! authority, as a deployment does; only that key can then initialise the network. Without it
//! the network cannot be initialised.

mod bank;

use std::convert::Infallible;
use std::io::{BufRead, Write};
use std::net::{SocketAddr, TcpListener};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use bank::{Bank, RpcError};
use futures_util::{SinkExt, StreamExt};
use hyper::service::{make_service_fn, service_fn};
use hyper::{Body, Method, Request, Response, Server, StatusCode};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::{handshake::derive_accept_key, protocol::Role, Message};
use tokio_tungstenite::WebSocketStream;

struct Call {
    method: String,
    params: Value,
    reply: tokio::sync::oneshot::Sender<Result<Value, RpcError>>,
}

#[derive(Clone)]
struct BankHandle {
    tx: mpsc::Sender<Call>,
    verbose: bool,
}

impl BankHandle {
    async fn call(&self, method: &str, params: Value) -> Result<Value, RpcError> {
        if self.verbose {
            eprintln!("rpc {method}");
        }
        let (reply, rx) = tokio::sync::oneshot::channel();
        self.tx
            .send(Call { method: method.to_string(), params, reply })
            .map_err(|_| RpcError { code: -32603, message: "bank stopped".into(), data: None })?;
        rx.await.map_err(|_| RpcError { code: -32603, message: "bank stopped".into(), data: None })?
    }
}

/// Starts the bank thread. See bank.rs for why it runs on its own, request-driven runtime.
fn spawn_bank(verbose: bool, upgrade_authority: Option<solana_sdk::pubkey::Pubkey>) -> BankHandle {
    let (tx, rx) = mpsc::channel::<Call>();
    let (ready_tx, ready_rx) = mpsc::channel::<()>();
    std::thread::Builder::new()
        .name("poc-bank".into())
        .spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            let mut bank = rt.block_on(async {
                let mut pt = poc_harness::program_test();
                if let Some(authority) = upgrade_authority {
                    poc_harness::add_program_data(&mut pt, Some(authority));
                }
                let ctx = poc_harness::start_bank(pt).await;
                Bank::new(ctx).await
            });
            ready_tx.send(()).expect("main thread alive");
            while let Ok(call) = rx.recv() {
                let result = rt.block_on(bank.handle(&call.method, &call.params));
                let _ = call.reply.send(result);
            }
        })
        .expect("spawn bank thread");
    ready_rx.recv().expect("bank started");
    BankHandle { tx, verbose }
}

fn rpc_response(id: Value, result: Result<Value, RpcError>) -> Value {
    match result {
        Ok(value) => json!({ "jsonrpc": "2.0", "id": id, "result": value }),
        Err(e) => {
            let mut error = json!({ "code": e.code, "message": e.message });
            if let Some(data) = e.data {
                error["data"] = data;
            }
            json!({ "jsonrpc": "2.0", "id": id, "error": error })
        }
    }
}

async fn dispatch(bank: &BankHandle, request: Value) -> Value {
    let id = request.get("id").cloned().unwrap_or(Value::Null);
    let Some(method) = request.get("method").and_then(|m| m.as_str()) else {
        return rpc_response(id, Err(RpcError { code: -32600, message: "Invalid request".into(), data: None }));
    };
    let params = request.get("params").cloned().unwrap_or(json!([]));
    rpc_response(id, bank.call(method, params).await)
}

fn with_cors(mut response: Response<Body>) -> Response<Body> {
    let h = response.headers_mut();
    h.insert("access-control-allow-origin", "*".parse().expect("header"));
    h.insert("access-control-allow-methods", "POST, GET, OPTIONS".parse().expect("header"));
    h.insert("access-control-allow-headers", "content-type, solana-client".parse().expect("header"));
    response
}

async fn handle_http(req: Request<Body>, bank: BankHandle) -> Result<Response<Body>, Infallible> {
    let is_upgrade = req
        .headers()
        .get("upgrade")
        .and_then(|v| v.to_str().ok())
        .map(|v| v.eq_ignore_ascii_case("websocket"))
        .unwrap_or(false);
    if is_upgrade {
        return Ok(upgrade_websocket(req, bank));
    }
    let response = match (req.method(), req.uri().path()) {
        (&Method::OPTIONS, _) => Response::new(Body::empty()),
        (&Method::GET, "/health") => Response::new(Body::from("ok")),
        (&Method::POST, _) => {
            let body = match hyper::body::to_bytes(req.into_body()).await {
                Ok(b) => b,
                Err(_) => return Ok(status(StatusCode::BAD_REQUEST)),
            };
            let reply = match serde_json::from_slice::<Value>(&body) {
                Ok(Value::Array(batch)) => {
                    let mut out = Vec::with_capacity(batch.len());
                    for r in batch {
                        out.push(dispatch(&bank, r).await);
                    }
                    Value::Array(out)
                }
                Ok(single) => dispatch(&bank, single).await,
                Err(_) => rpc_response(Value::Null, Err(RpcError { code: -32700, message: "Parse error".into(), data: None })),
            };
            let mut r = Response::new(Body::from(reply.to_string()));
            r.headers_mut().insert("content-type", "application/json".parse().expect("header"));
            r
        }
        _ => status(StatusCode::NOT_FOUND),
    };
    Ok(with_cors(response))
}

fn status(code: StatusCode) -> Response<Body> {
    let mut r = Response::new(Body::empty());
    *r.status_mut() = code;
    r
}

fn upgrade_websocket(req: Request<Body>, bank: BankHandle) -> Response<Body> {
    let Some(key) = req.headers().get("sec-websocket-key").map(|k| derive_accept_key(k.as_bytes())) else {
        return status(StatusCode::BAD_REQUEST);
    };
    tokio::spawn(async move {
        match hyper::upgrade::on(req).await {
            Ok(upgraded) => {
                let ws = WebSocketStream::from_raw_socket(upgraded, Role::Server, None).await;
                ws_session(ws, bank).await;
            }
            Err(e) => eprintln!("websocket upgrade failed: {e}"),
        }
    });
    let mut r = status(StatusCode::SWITCHING_PROTOCOLS);
    let h = r.headers_mut();
    h.insert("upgrade", "websocket".parse().expect("header"));
    h.insert("connection", "Upgrade".parse().expect("header"));
    h.insert("sec-websocket-accept", key.parse().expect("header"));
    r
}

static NEXT_SUBSCRIPTION: AtomicU64 = AtomicU64::new(1);

/// PubSub subset: signatureSubscribe notifies once the transaction is known (transactions are
/// final as soon as sendTransaction returns). Other subscriptions are acknowledged, never fire.
async fn ws_session<S>(ws: WebSocketStream<S>, bank: BankHandle)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let (mut sink, mut stream) = ws.split();
    let (out_tx, mut out_rx) = tokio::sync::mpsc::unbounded_channel::<Message>();
    let writer = tokio::spawn(async move {
        while let Some(msg) = out_rx.recv().await {
            if sink.send(msg).await.is_err() {
                break;
            }
        }
    });
    while let Some(Ok(msg)) = stream.next().await {
        let text = match msg {
            Message::Text(t) => t,
            Message::Ping(p) => {
                let _ = out_tx.send(Message::Pong(p));
                continue;
            }
            Message::Close(_) => break,
            _ => continue,
        };
        let Ok(request) = serde_json::from_str::<Value>(&text) else { continue };
        let id = request.get("id").cloned().unwrap_or(Value::Null);
        let method = request.get("method").and_then(|m| m.as_str()).unwrap_or("").to_string();
        if id.is_null() {
            continue; // notifications such as web3.js's keep-alive "ping"
        }
        let reply = if method.ends_with("Unsubscribe") {
            json!({ "jsonrpc": "2.0", "id": id, "result": true })
        } else if method.ends_with("Subscribe") {
            let sub = NEXT_SUBSCRIPTION.fetch_add(1, Ordering::Relaxed);
            if method == "signatureSubscribe" {
                let signature = request["params"][0].clone();
                let (bank, out) = (bank.clone(), out_tx.clone());
                tokio::spawn(async move { notify_signature(bank, out, signature, sub).await });
            }
            json!({ "jsonrpc": "2.0", "id": id, "result": sub })
        } else {
            json!({ "jsonrpc": "2.0", "id": id, "error": { "code": -32601, "message": "Method not found" } })
        };
        if out_tx.send(Message::Text(reply.to_string())).is_err() {
            break;
        }
    }
    drop(out_tx);
    let _ = writer.await;
}

async fn notify_signature(bank: BankHandle, out: tokio::sync::mpsc::UnboundedSender<Message>, signature: Value, sub: u64) {
    // Give the subscription reply a head start, then poll until the signature is known.
    for _ in 0..1200 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        if out.is_closed() {
            return;
        }
        let Ok(res) = bank.call("getSignatureStatuses", json!([[signature.clone()]])).await else { return };
        let status = &res["value"][0];
        if !status.is_null() {
            let note = json!({
                "jsonrpc": "2.0",
                "method": "signatureNotification",
                "params": {
                    "result": { "context": { "slot": status["slot"] }, "value": { "err": status["err"] } },
                    "subscription": sub,
                },
            });
            let _ = out.send(Message::Text(note.to_string()));
            return;
        }
    }
}

/// Binds the RPC port and, if possible, port+1 for web3.js's default WebSocket URL. With port
/// 0, retries until a free pair is found (the kernel often hands out P+1 to other sockets).
fn bind_pair(addr: SocketAddr) -> (TcpListener, Option<TcpListener>) {
    let attempts = if addr.port() == 0 { 64 } else { 1 };
    let mut fallback = None;
    for _ in 0..attempts {
        let listener = TcpListener::bind(addr).unwrap_or_else(|e| {
            eprintln!("error: cannot listen on {addr}: {e}");
            std::process::exit(1);
        });
        let port = listener.local_addr().expect("local addr").port();
        if let Some(next) = port.checked_add(1) {
            if let Ok(ws) = TcpListener::bind((addr.ip(), next)) {
                return (listener, Some(ws));
            }
        }
        fallback = Some(listener);
    }
    (fallback.expect("at least one attempt"), None)
}

struct Args {
    host: String,
    port: u16,
    exit_on_stdin_close: bool,
    verbose: bool,
    upgrade_authority: Option<solana_sdk::pubkey::Pubkey>,
}

fn parse_args() -> Args {
    let mut args =
        Args { host: "127.0.0.1".into(), port: 8899, exit_on_stdin_close: false, verbose: false, upgrade_authority: None };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--port" => args.port = it.next().and_then(|p| p.parse().ok()).unwrap_or_else(|| usage("--port needs a number")),
            "--host" => args.host = it.next().unwrap_or_else(|| usage("--host needs an address")),
            "--exit-on-stdin-close" => args.exit_on_stdin_close = true,
            "--verbose" => args.verbose = true,
            "--upgrade-authority" => {
                args.upgrade_authority = Some(
                    it.next()
                        .and_then(|k| k.parse().ok())
                        .unwrap_or_else(|| usage("--upgrade-authority needs a base58 public key")),
                )
            }
            "-h" | "--help" => usage(""),
            other => usage(&format!("unknown argument {other}")),
        }
    }
    args
}

fn usage(err: &str) -> ! {
    if !err.is_empty() {
        eprintln!("error: {err}");
    }
    eprintln!(
        "usage: poc-localchain [--host 127.0.0.1] [--port 8899|0] [--upgrade-authority <pubkey>] [--exit-on-stdin-close] [--verbose]"
    );
    std::process::exit(if err.is_empty() { 0 } else { 2 });
}

fn main() {
    let args = parse_args();
    if std::env::var_os("RUST_LOG").is_none() {
        std::env::set_var("RUST_LOG", "error");
    }
    if args.exit_on_stdin_close {
        std::thread::spawn(|| {
            let mut sink = String::new();
            let stdin = std::io::stdin();
            while stdin.lock().read_line(&mut sink).map(|n| n > 0).unwrap_or(false) {
                sink.clear();
            }
            std::process::exit(0);
        });
    }
    let bank = spawn_bank(args.verbose, args.upgrade_authority);

    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    rt.block_on(async move {
        let addr: SocketAddr = format!("{}:{}", args.host, args.port).parse().unwrap_or_else(|_| usage("bad --host/--port"));
        let (listener, ws_listener) = bind_pair(addr);
        listener.set_nonblocking(true).expect("nonblocking");
        let port = listener.local_addr().expect("local addr").port();
        let serve = |listener: TcpListener, bank: BankHandle| {
            let make = make_service_fn(move |_| {
                let bank = bank.clone();
                async move { Ok::<_, Infallible>(service_fn(move |req| handle_http(req, bank.clone()))) }
            });
            Server::from_tcp(listener).expect("server").serve(make)
        };
        // web3.js derives the WebSocket URL as port+1 unless told otherwise; serve it too.
        match ws_listener {
            Some(l) => {
                l.set_nonblocking(true).expect("nonblocking");
                tokio::spawn(serve(l, bank.clone()));
            }
            None => eprintln!("note: port {} unavailable; WebSocket is served on {port} only", port.wrapping_add(1)),
        }
        eprintln!("poc-localchain: program {} (native), RPC http://{}:{port}", poc_harness::poc_network::ID, addr.ip());
        println!("LISTENING {port}");
        let _ = std::io::stdout().flush();
        if let Err(e) = serve(listener, bank).await {
            eprintln!("server error: {e}");
            std::process::exit(1);
        }
    });
}
