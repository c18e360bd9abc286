{
  "targets": [
    {
      "target_name": "tock_udp",
      "sources": ["src/tock_udp.c"],
      "cflags": ["-std=gnu11", "-O2", "-Wall", "-Wextra", "-Werror=implicit-function-declaration", "-fvisibility=hidden"],
      "conditions": [
        ["OS!='linux'", { "type": "none", "sources": [] }],
        ["sanitize=='address'", {
          "cflags": ["-fsanitize=address", "-fno-omit-frame-pointer", "-g", "-O1"],
          "ldflags": ["-fsanitize=address"]
        }]
      ]
    }
  ],
  "variables": { "sanitize%": "" }
}
