//! The `switchboard` command line: parses arguments and calls the library.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, CommandFactory, Parser, Subcommand};
use switchboard::commands;
use switchboard::commands::table::Format;
use switchboard::store::tokens::Role;

/// Switchboard: HL7 v2, FHIR R4 and X12 into one canonical store.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    /// Deployment root holding config/, channels/, mappings/ and data/.
    #[arg(long, global = true, default_value = ".", env = "SWITCHBOARD_ROOT")]
    root: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the engine until SIGTERM or Ctrl-C.
    #[command(after_help = "Example:\n  switchboard --root /srv/switchboard serve")]
    Serve,
    /// Validate the configuration; print every problem as file:line: field: reason.
    #[command(after_help = "Example:\n  switchboard check")]
    Check,
    /// Apply pending database migrations.
    #[command(after_help = "Example:\n  switchboard --root /srv/switchboard migrate")]
    Migrate,
    /// Manage API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Send HL7 v2 files over MLLP and print each ACK (a file may hold several messages).
    #[command(
        after_help = "Example:\n  switchboard send --mllp 127.0.0.1:2575 samples/hl7v2/adt-a01-fhir-converter.hl7"
    )]
    Send {
        /// `host:port` of the MLLP listener.
        #[arg(long)]
        mllp: String,
        /// Speak TLS (implied by `--ca`, `--cert` or `--server-name`); without `--ca` the
        /// public web PKI roots are trusted.
        #[arg(long)]
        tls: bool,
        /// PEM CA bundle that signed the listener's certificate.
        #[arg(long, value_name = "PATH")]
        ca: Option<PathBuf>,
        /// PEM certificate chain to show the listener (mutual TLS), with `--key`.
        #[arg(long, value_name = "PATH", requires = "key")]
        cert: Option<PathBuf>,
        /// PEM private key of `--cert`.
        #[arg(long, value_name = "PATH", requires = "cert")]
        key: Option<PathBuf>,
        /// Name the listener's certificate must carry (default: the host of `--mllp`).
        #[arg(long, value_name = "NAME")]
        server_name: Option<String>,
        /// Files to send.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Print a message file as a tree with field names, and its canonical records.
    #[command(after_help = "Example:\n  switchboard parse samples/hl7v2/dft-p03-switchboard.hl7")]
    Parse {
        /// The file (HL7 v2, possibly several messages; X12; or FHIR JSON).
        file: PathBuf,
        /// Mapping in mappings/ used for the canonical records.
        #[arg(long, default_value = "hl7v2-canonical")]
        mapping: String,
    },
    /// Load test an MLLP listener: messages per second and latency percentiles.
    #[command(
        after_help = "Example:\n  switchboard bench-mllp --connections 8 --messages 20000 --in-flight 4 --drain"
    )]
    BenchMllp {
        /// `host:port` of the MLLP listener.
        #[arg(long, default_value = "127.0.0.1:2575")]
        mllp: String,
        /// Connections sending at once.
        #[arg(long, default_value_t = 8)]
        connections: usize,
        /// Messages in all.
        #[arg(long, default_value_t = 20000)]
        messages: usize,
        /// Messages each connection sends before it waits for the oldest one's ACK (1: every
        /// message waits for its ACK).
        #[arg(long, default_value_t = 1)]
        in_flight: usize,
        /// Then wait until the engine's queues are empty (read from its `/metrics`) and print
        /// the rate of messages stored and delivered.
        #[arg(long)]
        drain: bool,
        /// Engine URL for `--drain`; default from config/switchboard.toml.
        #[arg(long)]
        url: Option<String>,
    },
    /// Claims: submit a payer's ready claims, or list them (through the running engine's API,
    /// with the token in SWITCHBOARD_TOKEN).
    #[command(subcommand)]
    Claims(ClaimsCommand),
    /// Remittances: the unmatched and denial worklists, and matching a claim payment by hand
    /// (through the running engine's API, with the token in SWITCHBOARD_TOKEN).
    #[command(subcommand)]
    Remit(RemitCommand),
    /// Channel transforms: try one on a stored message or a file without deploying anything
    /// (through the running engine's API, with an operator token in SWITCHBOARD_TOKEN).
    #[command(subcommand)]
    Transform(TransformCommand),
    /// The engine nodes sharing the store: live, stopped or gone, their configuration version
    /// and the deliveries each holds (through the running engine's API).
    #[command(after_help = "Example:\n  switchboard nodes --json")]
    Nodes {
        #[command(flatten)]
        output: Output,
        /// Engine URL; default from config/switchboard.toml.
        #[arg(long)]
        url: Option<String>,
    },
    /// Ask a payer whether a member is covered (a 270 through the payer's channel, answered by
    /// a 271) and print the status, plan, dates, deductible, copay, coinsurance and
    /// out-of-pocket remaining (through the running engine's API).
    #[command(
        after_help = "Example:\n  switchboard eligibility --payer HMO1 --member MEM12345 --date 2026-12-01"
    )]
    Eligibility {
        /// The payer id (config/payers).
        #[arg(long)]
        payer: String,
        /// The member id.
        #[arg(long)]
        member: String,
        /// The member's first name (default: our patient's with that member id).
        #[arg(long)]
        first_name: Option<String>,
        /// The member's last name (default: our patient's with that member id).
        #[arg(long)]
        last_name: Option<String>,
        /// The member's date of birth, YYYY-MM-DD (default: our patient's with that member id).
        #[arg(long)]
        birth_date: Option<String>,
        /// Service type code (EQ01).
        #[arg(long, default_value = "30")]
        service_type: String,
        /// Date of service, YYYY-MM-DD (default: today).
        #[arg(long)]
        date: Option<String>,
        /// Seconds to wait at most for the payer's answer.
        #[arg(long, value_name = "SECONDS", default_value_t = 30)]
        timeout: u64,
        /// Print the API's JSON answer as it is.
        #[arg(long)]
        json: bool,
        /// Engine URL; default from config/switchboard.toml.
        #[arg(long)]
        url: Option<String>,
    },
    /// Ask a payer to authorize a procedure (a 278 through the payer's channel) and print the
    /// decision (approved, pended or denied) with the conditions met and failed, and the
    /// contract's estimate (through the running engine's API).
    #[command(
        after_help = "Example:\n  switchboard prior-auth --payer HMO1 --member MEM12345 --procedure 99213 --diagnosis J06.9"
    )]
    PriorAuth {
        /// The payer id (config/payers).
        #[arg(long)]
        payer: String,
        /// The member id.
        #[arg(long)]
        member: String,
        /// The procedure (CPT/HCPCS).
        #[arg(long)]
        procedure: String,
        /// The principal diagnosis (ICD-10).
        #[arg(long)]
        diagnosis: String,
        /// The amount asked, in dollars (default: the contract's fee).
        #[arg(long)]
        amount: Option<String>,
        /// The NPI of the provider who will do it (default: ours).
        #[arg(long)]
        provider: Option<String>,
        /// Date of service, YYYY-MM-DD (default: today).
        #[arg(long)]
        date: Option<String>,
        /// Seconds to wait at most for the payer's answer.
        #[arg(long, value_name = "SECONDS", default_value_t = 30)]
        timeout: u64,
        /// Print the API's JSON answer as it is.
        #[arg(long)]
        json: bool,
        /// Engine URL; default from config/switchboard.toml.
        #[arg(long)]
        url: Option<String>,
    },
    /// Print a report (financial-summary, payer-performance, claim-aging, denial-analysis,
    /// reconciliation-audit, payer-mix, receivables-aging, payer-inquiries,
    /// authorization-denials); without a name, list them.
    #[command(after_help = "Example:\n  switchboard report claim-aging --csv")]
    Report {
        /// The report.
        name: Option<String>,
        #[command(flatten)]
        output: Output,
        /// Engine URL; default from config/switchboard.toml.
        #[arg(long)]
        url: Option<String>,
    },
    /// Adjudicate an 837 as a payer would under its contract and write the 835 (and the 999
    /// and 277CA beside it: OUT.x12 gives OUT.999.x12 and OUT.277.x12), to run the revenue
    /// cycle without a real payer.
    #[command(
        after_help = "Example:\n  switchboard payer-sim --contract config/payers/acme-health.toml claims.837 answer.x12"
    )]
    PayerSim {
        /// The payer file whose [contract] to apply (config/payers/NAME.toml).
        #[arg(long)]
        contract: PathBuf,
        /// Share of claims denied at random, in percent.
        #[arg(long, default_value_t = 0)]
        denial_percent: u32,
        /// Seed of the random denials.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Also reverse the first paid claim and pay it again.
        #[arg(long)]
        reversal: bool,
        /// The 837 to adjudicate.
        in_837: PathBuf,
        /// Where to write the 835.
        out_835: PathBuf,
    },
    /// X12 tools.
    #[command(subcommand)]
    X12(X12Command),
    /// Print a shell completion script (bash, zsh, fish, elvish or powershell) to source.
    #[command(after_help = "Example:\n  source <(switchboard completions bash)")]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Create a new deployment root in DIR: config/, channels/ (with examples), mappings/ and
    /// samples/, ready for `switchboard --root DIR serve`.
    #[command(
        after_help = "Example:\n  switchboard init /srv/switchboard && switchboard --root /srv/switchboard serve"
    )]
    Init {
        /// The new root (created if missing; refused if it holds any of the files already).
        dir: PathBuf,
    },
    /// Check a deployment and its running engine: configuration, certificates, engine and
    /// store reachable, migrations, listening ports, queues and dead letters, free disk space.
    /// Exit 0 when all is well (warnings included), 1 when a check fails, 3 when the engine
    /// does not answer.
    #[command(after_help = "Example:\n  switchboard --root /srv/switchboard doctor")]
    Doctor,
    /// Print the version.
    #[command(after_help = "Example:\n  switchboard version")]
    Version,
}

#[derive(Subcommand)]
enum X12Command {
    /// Check X12 files against their implementation guides (837P, 837I, 835, 999, 277CA);
    /// print each error as FILE:SEGMENT_NO: LOOP SEG*ELEM: reason (IK3/IK4 code); exit 1 when
    /// any file has one.
    #[command(
        after_help = "Example:\n  switchboard x12 validate --999 answer.999.x12 samples/x12/837p-demo-example1.x12"
    )]
    Validate {
        /// Write the 999 that would answer the files here.
        #[arg(long = "999", value_name = "OUT")]
        ack_out: Option<PathBuf>,
        /// The files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

#[derive(Subcommand)]
enum TransformCommand {
    /// Run a channel's transform on a stored message or a file and print what its destinations
    /// would receive and the edits applied and skipped; nothing is stored or sent. Exit 1 when
    /// the message fails the transform.
    #[command(
        after_help = "Example:\n  switchboard transform test adt-to-lab --message-id 42\n  switchboard transform test adt-to-lab samples/hl7v2/adt-a01-fhir-converter.hl7"
    )]
    Test {
        /// The deployed channel.
        channel: String,
        /// A stored message's id.
        #[arg(long, conflicts_with = "file", required_unless_present = "file")]
        message_id: Option<i64>,
        /// A file holding the message.
        file: Option<PathBuf>,
        /// Print the API's JSON answer as it is.
        #[arg(long)]
        json: bool,
        /// Engine URL; default from config/switchboard.toml.
        #[arg(long)]
        url: Option<String>,
    },
}

#[derive(Subcommand)]
enum RemitCommand {
    /// Claim payments that matched no claim.
    #[command(after_help = "Example:\n  switchboard remit unmatched --csv")]
    Unmatched {
        #[command(flatten)]
        output: Output,
        /// Engine URL; default from config/switchboard.toml.
        #[arg(long)]
        url: Option<String>,
    },
    /// Denied claims and lines, with their reasons.
    #[command(after_help = "Example:\n  switchboard remit denials")]
    Denials {
        #[command(flatten)]
        output: Output,
        /// Engine URL; default from config/switchboard.toml.
        #[arg(long)]
        url: Option<String>,
    },
    /// Match an unmatched claim payment (its id in `remit unmatched`) to a claim and post it.
    #[command(after_help = "Example:\n  switchboard remit match 12 1001")]
    Match {
        /// The unmatched claim payment.
        remittance_claim: i64,
        /// Our claim id.
        claim: i64,
        /// Print the API's JSON answer as it is.
        #[arg(long)]
        json: bool,
        /// Engine URL; default from config/switchboard.toml.
        #[arg(long)]
        url: Option<String>,
    },
}

#[derive(Subcommand)]
enum ClaimsCommand {
    /// Batch the payer's ready claims into an 837 and send it now.
    #[command(after_help = "Example:\n  switchboard claims submit --payer HMO1")]
    Submit {
        /// The payer id (config/payers).
        #[arg(long)]
        payer: String,
        /// Print the API's JSON answer as it is.
        #[arg(long)]
        json: bool,
        /// Wait until the batch has left through its channel and print where it went (the
        /// default when stdout is a terminal).
        #[arg(long, overrides_with = "no_wait")]
        wait: bool,
        /// Return as soon as the engine has batched the claims.
        #[arg(long, overrides_with = "wait")]
        no_wait: bool,
        /// Seconds to wait at most for the batch to leave.
        #[arg(long, value_name = "SECONDS", default_value_t = 60)]
        timeout: u64,
        /// Engine URL; default from config/switchboard.toml.
        #[arg(long)]
        url: Option<String>,
    },
    /// Ask the payer where a claim stands (a 276, answered by a 277) and print its status
    /// spelled out, amounts and dates; the claim's history records it.
    #[command(after_help = "Example:\n  switchboard claims status SB0000000001")]
    Status {
        /// Our claim number (CLM01).
        claim_number: String,
        /// Print the API's JSON answer as it is.
        #[arg(long)]
        json: bool,
        /// Seconds to wait at most for the payer's answer.
        #[arg(long, value_name = "SECONDS", default_value_t = 30)]
        timeout: u64,
        /// Engine URL; default from config/switchboard.toml.
        #[arg(long)]
        url: Option<String>,
    },
    /// List claims, newest first.
    #[command(after_help = "Example:\n  switchboard claims list --status denied")]
    List {
        /// Only this status (submitted, acknowledged, accepted, rejected...).
        #[arg(long)]
        status: Option<String>,
        /// Only this payer.
        #[arg(long)]
        payer: Option<String>,
        #[command(flatten)]
        output: Output,
        /// Engine URL; default from config/switchboard.toml.
        #[arg(long)]
        url: Option<String>,
    },
}

/// How to print a tabular answer: an aligned table unless asked otherwise.
#[derive(Args)]
struct Output {
    /// Print the API's JSON answer as it is.
    #[arg(long, conflicts_with = "csv")]
    json: bool,
    /// Print CSV with a header row.
    #[arg(long)]
    csv: bool,
}

impl Output {
    fn format(&self) -> Format {
        if self.json {
            Format::Json
        } else if self.csv {
            Format::Csv
        } else {
            Format::Table
        }
    }
}

/// The format of a one-object answer: the table of its fields, or with `--json` the JSON.
fn json_or_table(json: bool) -> Format {
    if json { Format::Json } else { Format::Table }
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create a token and print it (only the token, on stdout).
    #[command(after_help = "Example:\n  switchboard token create --role operator --name ehr-feed")]
    Create {
        /// admin, operator or viewer.
        #[arg(long, value_parser = |s: &str| s.parse::<Role>())]
        role: Role,
        /// Who or what the token is for; unique.
        #[arg(long)]
        name: String,
    },
    /// List tokens (never their secrets).
    #[command(after_help = "Example:\n  switchboard token list")]
    List,
    /// Revoke a token by name.
    #[command(after_help = "Example:\n  switchboard token revoke ehr-feed")]
    Revoke {
        /// The token's name.
        name: String,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let root = cli.root.as_path();
    match cli.command {
        Command::Serve => commands::serve(root),
        Command::Check => commands::check(root),
        Command::Init { dir } => commands::init::init(&dir),
        Command::Doctor => commands::doctor::doctor(root),
        Command::Migrate => commands::migrate(root),
        Command::Token(TokenCommand::Create { role, name }) => {
            commands::token_create(root, role, &name)
        }
        Command::Token(TokenCommand::List) => commands::token_list(root),
        Command::Token(TokenCommand::Revoke { name }) => commands::token_revoke(root, &name),
        Command::Send {
            mllp,
            tls,
            ca,
            cert,
            key,
            server_name,
            files,
        } => {
            let tls = (tls || ca.is_some() || cert.is_some() || server_name.is_some()).then(|| {
                switchboard::channel::mllp::ClientTls {
                    files: switchboard::net::tls::ClientFiles {
                        ca,
                        identity: cert.zip(key),
                    },
                    server_name,
                }
            });
            commands::send(&mllp, tls, &files)
        }
        Command::Parse { file, mapping } => commands::parse(root, &file, &mapping),
        Command::BenchMllp {
            mllp,
            connections,
            messages,
            in_flight,
            drain,
            url,
        } => commands::bench_mllp(root, &mllp, connections, messages, in_flight, drain, url),
        Command::Claims(ClaimsCommand::Submit {
            payer,
            json,
            wait,
            no_wait,
            timeout,
            url,
        }) => {
            let wait = wait || (!no_wait && std::io::stdout().is_terminal());
            commands::claims_submit(
                root,
                url.as_deref(),
                &payer,
                json_or_table(json),
                wait.then(|| Duration::from_secs(timeout)),
            )
        }
        Command::Claims(ClaimsCommand::Status {
            claim_number,
            json,
            timeout,
            url,
        }) => commands::claims_status(
            root,
            url.as_deref(),
            &claim_number,
            timeout,
            json_or_table(json),
        ),
        Command::Claims(ClaimsCommand::List {
            status,
            payer,
            output,
            url,
        }) => {
            let mut query = Vec::new();
            query.extend(status.map(|s| format!("status={s}")));
            query.extend(payer.map(|p| format!("payer={p}")));
            commands::api(
                root,
                url.as_deref(),
                &format!("/api/claims?{}", query.join("&")),
                None,
                output.format(),
            )
        }
        Command::Remit(RemitCommand::Unmatched { output, url }) => commands::api(
            root,
            url.as_deref(),
            "/api/worklists/unmatched",
            None,
            output.format(),
        ),
        Command::Remit(RemitCommand::Denials { output, url }) => commands::api(
            root,
            url.as_deref(),
            "/api/worklists/denials",
            None,
            output.format(),
        ),
        Command::Remit(RemitCommand::Match {
            remittance_claim,
            claim,
            json,
            url,
        }) => commands::api(
            root,
            url.as_deref(),
            &format!("/api/remittances/claims/{remittance_claim}/match"),
            Some(serde_json::json!({ "claim_id": claim })),
            json_or_table(json),
        ),
        Command::Transform(TransformCommand::Test {
            channel,
            message_id,
            file,
            json,
            url,
        }) => commands::transform_test(
            root,
            url.as_deref(),
            &channel,
            message_id,
            file.as_deref(),
            json,
        ),
        Command::Nodes { output, url } => {
            commands::api(root, url.as_deref(), "/api/nodes", None, output.format())
        }
        Command::Eligibility {
            payer,
            member,
            first_name,
            last_name,
            birth_date,
            service_type,
            date,
            timeout,
            json,
            url,
        } => {
            let request = serde_json::json!({
                "payer": payer,
                "member_id": member,
                "first_name": first_name,
                "last_name": last_name,
                "birth_date": birth_date,
                "service_type": service_type,
                "date": date,
                "timeout_seconds": timeout,
            });
            commands::api(
                root,
                url.as_deref(),
                "/api/eligibility",
                Some(request),
                json_or_table(json),
            )
        }
        Command::PriorAuth {
            payer,
            member,
            procedure,
            diagnosis,
            amount,
            provider,
            date,
            timeout,
            json,
            url,
        } => {
            let request = serde_json::json!({
                "payer": payer,
                "member_id": member,
                "procedure": procedure,
                "diagnosis": diagnosis,
                "amount": amount,
                "provider": provider,
                "date": date,
                "timeout_seconds": timeout,
            });
            commands::api(
                root,
                url.as_deref(),
                "/api/prior-auth",
                Some(request),
                json_or_table(json),
            )
        }
        Command::Report { name, output, url } => {
            let path = match name {
                None => "/api/reports".to_string(),
                Some(name) => format!("/api/reports/{name}"),
            };
            commands::api(root, url.as_deref(), &path, None, output.format())
        }
        Command::X12(X12Command::Validate { ack_out, files }) => {
            commands::x12_validate(&files, ack_out.as_deref())
        }
        Command::PayerSim {
            contract,
            denial_percent,
            seed,
            reversal,
            in_837,
            out_835,
        } => {
            let Some(options) = switchboard::revenue::payer_sim::SimOptions::now(
                denial_percent.min(100) * 100,
                seed,
                reversal,
            ) else {
                eprintln!("the clock reads no valid date");
                return ExitCode::FAILURE;
            };
            commands::payer_sim(&contract, &in_837, &out_835, &options)
        }
        Command::Completions { shell } => {
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "switchboard",
                &mut std::io::stdout(),
            );
            ExitCode::SUCCESS
        }
        Command::Version => {
            println!("switchboard {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
    }
}
