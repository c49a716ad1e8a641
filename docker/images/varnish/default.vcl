vcl 4.1;

# Placeholder; Berth mounts its own /etc/varnish/default.vcl.
backend default {
    .host = "127.0.0.1";
    .port = "8080";
}
