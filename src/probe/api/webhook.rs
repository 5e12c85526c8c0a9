//! `api.webhook_signature`: whether the webhook route refuses unsigned and wrongly signed events.

use super::super::http::Call;
use super::super::{ProbeResult, Status};
use super::auth::random_bytes;
use super::request::{Judged, Run, Sent, judge_private, unix_now};
use super::{skipped, title};

/// A Stripe-style signature header with a fresh timestamp and a made-up signature.
pub(super) fn wrong_stripe_signature(now: u64) -> String {
    format!("t={now},v1={}", super::super::http::hex(&random_bytes(32)))
}

pub(crate) async fn webhook_signature(run: &Run<'_>) -> ProbeResult {
    let Some(webhook) = run.file.target.webhook.as_ref() else {
        return skipped(
            run.id,
            "The target file names no webhook route, so none was tried.",
            "If a payment or other provider calls your API, name the route under [target.webhook] (path = \"/webhooks/stripe\").",
        );
    };
    let Some(url) = run.url(&webhook.path) else {
        return ProbeResult::new(
            run.id,
            Status::Error,
            title(run.id),
            format!("{} does not make a valid address.", webhook.path),
        );
    };
    let now = unix_now();
    // An event type no handler acts on, in case one acts before checking the signature.
    let event = format!(
        r#"{{"id":"evt_launchready_probe","object":"event","type":"launchready.probe","created":{now},"livemode":false,"data":{{"object":{{}}}}}}"#
    );
    let unsigned = Call::new("POST", url.clone()).json(event.clone());
    let wrong = Call::new("POST", url)
        .json(event)
        .header("Stripe-Signature", wrong_stripe_signature(now));
    let (unsigned, wrong) = tokio::join!(
        run.send("unsigned event", unsigned),
        run.send("wrongly signed event", wrong)
    );
    let judged: Vec<(&Sent, Judged)> = [&unsigned, &wrong]
        .into_iter()
        .map(|s| (s, judge_private(&s.outcome)))
        .collect();
    let (status, summary, fix) = if let Some((s, _)) = judged.iter().find(|(_, j)| matches!(j, Judged::Open { .. })) {
        (
            Status::Fail,
            format!(
                "Your webhook route accepts events nobody signed (it answered {} to an {}): anyone can send it a fake payment or subscription event.",
                s.reply().map_or(0, |r| r.status),
                s.label
            ),
            Some(format!(
                "Verify the Stripe-Signature header with your webhook signing secret (stripe.webhooks.constructEvent, or your provider's equivalent) before acting on an event sent to {}, and answer 400 when it does not match.",
                webhook.path
            )),
        )
    } else if let Some((s, Judged::Missing(code))) = judged.iter().find(|(_, j)| matches!(j, Judged::Missing(_))) {
        // A mistyped webhook path answers 404 to everyone: that is no refusal of the event.
        (
            Status::Error,
            format!(
                "Nothing was tested: your webhook route {} answered {code} to the {} — the route was not found (check the path in the target file).",
                webhook.path, s.label
            ),
            Some(
                "Put the path your payment provider calls (see its dashboard's webhook settings) under [target.webhook], then run the check again."
                    .into(),
            ),
        )
    } else if let Some((s, Judged::Unclear(why))) = judged.iter().find(|(_, j)| matches!(j, Judged::Unclear(_))) {
        (
            Status::Error,
            format!(
                "Could not tell whether your webhook route checks signatures: the {} got no usable answer ({why}).",
                s.label
            ),
            Some(
                "Check that the webhook path in the target file is right and reachable, then run the check again."
                    .into(),
            ),
        )
    } else if judged.iter().any(|(_, j)| *j == Judged::Crashed) {
        (
            Status::Warn,
            "Your webhook route did not accept unsigned or wrongly signed events, but crashed (5xx) instead of refusing them; some providers retry those for days.".into(),
            Some("Answer 400 when the signature does not match, instead of failing with a server error.".into()),
        )
    } else {
        (
            Status::Pass,
            "Your webhook route refused an unsigned and a wrongly signed event.".into(),
            None,
        )
    };
    let mut result = ProbeResult::new(run.id, status, title(run.id), summary);
    for (s, _) in &judged {
        result = result.evidence(s.label.clone(), s.line(&["location"]));
    }
    result.fix_if(fix)
}
