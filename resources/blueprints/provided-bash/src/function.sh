# The handler: gets the event JSON as $1; what it prints on stdout is the response.
# Anything for the logs goes to stderr.
function handler () {
  EVENT_DATA=$1
  echo "event: $EVENT_DATA" 1>&2

  RESPONSE='{"statusCode": 200, "body": "{\"message\": \"hello world\"}"}'
  echo "$RESPONSE"
}
