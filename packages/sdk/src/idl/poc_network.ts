/**
 * Program IDL in camelCase format in order to be used in JS/TS.
 *
 * Note that this is only a type helper and is not the actual IDL. The original
 * IDL can be found at `target/idl/poc_network.json`.
 */
export type PocNetwork = {
  "address": "4EtdmGR8cRUh1XT9JEJYB9bQGwQv2fsykqEzAMY6fwjM",
  "metadata": {
    "name": "pocNetwork",
    "version": "0.1.0",
    "spec": "0.1.0",
    "description": "Proof-of-coverage network registry and rewards (Anchor)"
  },
  "instructions": [
    {
      "name": "acceptAdmin",
      "docs": [
        "Proposed admin, step 2 of 2: accept the role; the previous admin loses it."
      ],
      "discriminator": [
        112,
        42,
        45,
        90,
        116,
        181,
        13,
        170
      ],
      "accounts": [
        {
          "name": "newAdmin",
          "signer": true
        },
        {
          "name": "network",
          "writable": true,
          "pda": {
            "seeds": [
              {
                "kind": "const",
                "value": [
                  110,
                  101,
                  116,
                  119,
                  111,
                  114,
                  107
                ]
              }
            ]
          }
        }
      ],
      "args": []
    },
    {
      "name": "approveMaker",
      "docs": [
        "Admin: approve a maker whose `authority` key will co-sign onboardings."
      ],
      "discriminator": [
        182,
        108,
        6,
        26,
        13,
        52,
        208,
        158
      ],
      "accounts": [
        {
          "name": "admin",
          "writable": true,
          "signer": true
        },
        {
          "name": "network",
          "writable": true,
          "pda": {
            "seeds": [
              {
                "kind": "const",
                "value": [
                  110,
                  101,
                  116,
                  119,
                  111,
                  114,
                  107
                ]
              }
            ]
          }
        },
        {
          "name": "maker",
          "writable": true,
          "pda": {
            "seeds": [
              {
                "kind": "const",
                "value": [
                  109,
                  97,
                  107,
                  101,
                  114
                ]
              },
              {
                "kind": "arg",
                "path": "authority"
              }
            ]
          }
        },
        {
          "name": "systemProgram",
          "address": "11111111111111111111111111111111"
        }
      ],
      "args": [
        {
          "name": "authority",
          "type": "pubkey"
        }
      ]
    },
    {
      "name": "assertLocation",
      "docs": [
        "Owner: assert (or re-assert) the hotspot's location, antenna gain, elevation and the",
        "LoRaWAN region code of that location. Every assertion pays the location fee into the treasury."
      ],
      "discriminator": [
        114,
        216,
        65,
        176,
        53,
        199,
        112,
        90
      ],
      "accounts": [
        {
          "name": "owner",
          "writable": true,
          "signer": true
        },
        {
          "name": "network",
          "pda": {
            "seeds": [
              {
                "kind": "const",
                "value": [
                  110,
                  101,
                  116,
                  119,
                  111,
                  114,
                  107
                ]
              }
            ]
          }
        },
        {
          "name": "treasury",
          "writable": true,
          "pda": {
            "seeds": [
              {
                "kind": "const",
                "value": [
                  116,
                  114,
                  101,
                  97,
                  115,
                  117,
                  114,
                  121
                ]
              }
            ]
          }
        },
        {
          "name": "hotspot",
          "writable": true,
          "pda": {
            "seeds": [
              {
                "kind": "const",
                "value": [
                  104,
                  111,
                  116,
                  115,
                  112,
                  111,
                  116
                ]
              },
              {
                "kind": "account",
                "path": "hotspot.hotspot_key",
                "account": "hotspot"
              }
            ]
          }
        },
        {
          "name": "systemProgram",
          "address": "11111111111111111111111111111111"
        }
      ],
      "args": [
        {
          "name": "location",
          "type": "u64"
        },
        {
          "name": "gainDbiX10",
          "type": "u16"
        },
        {
          "name": "elevationM",
          "type": "i32"
        },
        {
          "name": "region",
          "type": "u8"
        }
      ]
    },
    {
      "name": "claimRewards",
      "docs": [
        "Hotspot owner: prove (hotspot_key, cumulative) against the latest epoch root and mint",
        "cumulative − already-claimed to the owner's associated token account. The owner signs",
        "and pays that account's rent, so nobody can spend someone else's lamports on a claim."
      ],
      "discriminator": [
        4,
        144,
        132,
        71,
        116,
        23,
        151,
        80
      ],
      "accounts": [
        {
          "name": "owner",
          "writable": true,
          "signer": true
        },
        {
          "name": "network",
          "writable": true,
          "pda": {
            "seeds": [
              {
                "kind": "const",
                "value": [
                  110,
                  101,
                  116,
                  119,
                  111,
                  114,
                  107
                ]
              }
            ]
          }
        },
        {
          "name": "epochRewards",
          "docs": [
            "Only the newest root counts: a later epoch may lower a hotspot's cumulative amount",
            "(a correction), and a proof against the older root must not still pay the higher one."
          ],
          "pda": {
            "seeds": [
              {
                "kind": "const",
                "value": [
                  101,
                  112,
                  111,
                  99,
                  104
                ]
              },
              {
                "kind": "arg",
                "path": "epoch"
              }
            ]
          }
        },
        {
          "name": "hotspot",
          "writable": true,
          "pda": {
            "seeds": [
              {
                "kind": "const",
                "value": [
                  104,
                  111,
                  116,
                  115,
                  112,
                  111,
                  116
                ]
              },
              {
                "kind": "account",
                "path": "hotspot.hotspot_key",
                "account": "hotspot"
              }
            ]
          }
        },
        {
          "name": "rewardMint",
          "writable": true,
          "pda": {
            "seeds": [
              {
                "kind": "const",
                "value": [
                  114,
                  101,
                  119,
                  97,
                  114,
                  100,
                  95,
                  109,
                  105,
                  110,
                  116
                ]
              }
            ]
          }
        },
        {
          "name": "ownerTokenAccount",
          "writable": true,
          "pda": {
            "seeds": [
              {
                "kind": "account",
                "path": "owner"
              },
              {
                "kind": "const",
                "value": [
                  6,
                  221,
                  246,
                  225,
                  215,
                  101,
                  161,
                  147,
                  217,
                  203,
                  225,
                  70,
                  206,
                  235,
                  121,
                  172,
                  28,
                  180,
                  133,
                  237,
                  95,
                  91,
                  55,
                  145,
                  58,
                  140,
                  245,
                  133,
                  126,
                  255,
                  0,
                  169
                ]
              },
              {
                "kind": "account",
                "path": "rewardMint"
              }
            ],
            "program": {
              "kind": "const",
              "value": [
                140,
                151,
                37,
                143,
                78,
                36,
                137,
                241,
                187,
                61,
                16,
                41,
                20,
                142,
                13,
                131,
                11,
                90,
                19,
                153,
                218,
                255,
                16,
                132,
                4,
                142,
                123,
                216,
                219,
                233,
                248,
                89
              ]
            }
          }
        },
        {
          "name": "tokenProgram",
          "address": "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"
        },
        {
          "name": "associatedTokenProgram",
          "address": "ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL"
        },
        {
          "name": "systemProgram",
          "address": "11111111111111111111111111111111"
        }
      ],
      "args": [
        {
          "name": "epoch",
          "type": "u64"
        },
        {
          "name": "cumulative",
          "type": "u64"
        },
        {
          "name": "proof",
          "type": {
            "vec": {
              "array": [
                "u8",
                32
              ]
            }
          }
        }
      ]
    },
    {
      "name": "initializeNetwork",
      "docs": [
        "Creates the network config, the reward mint (PDA, decimals 6, minted only by the",
        "network PDA) and the fee treasury. Only the program's upgrade authority may call it (so",
        "nobody can front-run the deployer); it becomes the admin."
      ],
      "discriminator": [
        75,
        50,
        251,
        50,
        0,
        159,
        20,
        5
      ],
      "accounts": [
        {
          "name": "admin",
          "writable": true,
          "signer": true
        },
        {
          "name": "programData",
          "docs": [
            "The upgradeable loader's ProgramData account of this program. Only the loader can",
            "create an account at this address, and it does so when the program is deployed."
          ],
          "pda": {
            "seeds": [
              {
                "kind": "const",
                "value": [
                  48,
                  33,
                  254,
                  110,
                  159,
                  112,
                  108,
                  63,
                  11,
                  148,
                  63,
                  242,
                  241,
                  4,
                  9,
                  27,
                  171,
                  2,
                  34,
                  132,
                  233,
                  203,
                  153,
                  34,
                  227,
                  66,
                  242,
                  253,
                  212,
                  214,
                  15,
                  80
                ]
              }
            ],
            "program": {
              "kind": "const",
              "value": [
                2,
                168,
                246,
                145,
                78,
                136,
                161,
                176,
                226,
                16,
                21,
                62,
                247,
                99,
                174,
                43,
                0,
                194,
                185,
                61,
                22,
                193,
                36,
                210,
                192,
                83,
                122,
                16,
                4,
                128,
                0,
                0
              ]
            }
          }
        },
        {
          "name": "network",
          "writable": true,
          "pda": {
            "seeds": [
              {
                "kind": "const",
                "value": [
                  110,
                  101,
                  116,
                  119,
                  111,
                  114,
                  107
                ]
              }
            ]
          }
        },
        {
          "name": "rewardMint",
          "writable": true,
          "pda": {
            "seeds": [
              {
                "kind": "const",
                "value": [
                  114,
                  101,
                  119,
                  97,
                  114,
                  100,
                  95,
                  109,
                  105,
                  110,
                  116
                ]
              }
            ]
          }
        },
        {
          "name": "treasury",
          "writable": true,
          "pda": {
            "seeds": [
              {
                "kind": "const",
                "value": [
                  116,
                  114,
                  101,
                  97,
                  115,
                  117,
                  114,
                  121
                ]
              }
            ]
          }
        },
        {
          "name": "tokenProgram",
          "address": "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"
        },
        {
          "name": "systemProgram",
          "address": "11111111111111111111111111111111"
        }
      ],
      "args": [
        {
          "name": "args",
          "type": {
            "defined": {
              "name": "initializeNetworkArgs"
            }
          }
        }
      ]
    },
    {
      "name": "onboardHotspot",
      "docs": [
        "Onboards a hotspot. Signed by the owner and the approved maker's authority; the",
        "instruction right before this one must be an Ed25519 precompile instruction in which",
        "the hotspot key signs the possession message (logic::onboard_message). `max_fee_lamports`",
        "is the highest onboarding fee the owner agreed to when signing. `region` is the LoRaWAN",
        "region code (logic::REGION_COUNT) the owner and maker agree the hotspot operates in."
      ],
      "discriminator": [
        107,
        125,
        188,
        199,
        34,
        160,
        38,
        192
      ],
      "accounts": [
        {
          "name": "owner",
          "writable": true,
          "signer": true
        },
        {
          "name": "makerAuthority",
          "signer": true
        },
        {
          "name": "maker",
          "writable": true,
          "pda": {
            "seeds": [
              {
                "kind": "const",
                "value": [
                  109,
                  97,
                  107,
                  101,
                  114
                ]
              },
              {
                "kind": "account",
                "path": "makerAuthority"
              }
            ]
          }
        },
        {
          "name": "network",
          "writable": true,
          "pda": {
            "seeds": [
              {
                "kind": "const",
                "value": [
                  110,
                  101,
                  116,
                  119,
                  111,
                  114,
                  107
                ]
              }
            ]
          }
        },
        {
          "name": "treasury",
          "writable": true,
          "pda": {
            "seeds": [
              {
                "kind": "const",
                "value": [
                  116,
                  114,
                  101,
                  97,
                  115,
                  117,
                  114,
                  121
                ]
              }
            ]
          }
        },
        {
          "name": "hotspot",
          "writable": true,
          "pda": {
            "seeds": [
              {
                "kind": "const",
                "value": [
                  104,
                  111,
                  116,
                  115,
                  112,
                  111,
                  116
                ]
              },
              {
                "kind": "arg",
                "path": "hotspotKey"
              }
            ]
          }
        },
        {
          "name": "instructions",
          "address": "Sysvar1nstructions1111111111111111111111111"
        },
        {
          "name": "systemProgram",
          "address": "11111111111111111111111111111111"
        }
      ],
      "args": [
        {
          "name": "hotspotKey",
          "type": "pubkey"
        },
        {
          "name": "maxFeeLamports",
          "type": "u64"
        },
        {
          "name": "region",
          "type": "u8"
        }
      ]
    },
    {
      "name": "proposeAdmin",
      "docs": [
        "Admin, step 1 of 2: propose a new admin, who takes over by signing `accept_admin`.",
        "Proposing the current admin withdraws a pending proposal."
      ],
      "discriminator": [
        121,
        214,
        199,
        212,
        87,
        39,
        117,
        234
      ],
      "accounts": [
        {
          "name": "admin",
          "signer": true
        },
        {
          "name": "network",
          "writable": true,
          "pda": {
            "seeds": [
              {
                "kind": "const",
                "value": [
                  110,
                  101,
                  116,
                  119,
                  111,
                  114,
                  107
                ]
              }
            ]
          }
        }
      ],
      "args": [
        {
          "name": "newAdmin",
          "type": "pubkey"
        }
      ]
    },
    {
      "name": "revokeMaker",
      "docs": [
        "Admin: revoke a maker by closing its approval (rent back to the admin)."
      ],
      "discriminator": [
        127,
        155,
        238,
        122,
        130,
        65,
        56,
        174
      ],
      "accounts": [
        {
          "name": "admin",
          "writable": true,
          "signer": true
        },
        {
          "name": "network",
          "writable": true,
          "pda": {
            "seeds": [
              {
                "kind": "const",
                "value": [
                  110,
                  101,
                  116,
                  119,
                  111,
                  114,
                  107
                ]
              }
            ]
          }
        },
        {
          "name": "maker",
          "writable": true,
          "pda": {
            "seeds": [
              {
                "kind": "const",
                "value": [
                  109,
                  97,
                  107,
                  101,
                  114
                ]
              },
              {
                "kind": "account",
                "path": "maker.authority",
                "account": "maker"
              }
            ]
          }
        }
      ],
      "args": []
    },
    {
      "name": "rotateOracle",
      "docs": [
        "Admin: hand the oracle role (submitting epoch roots) to another key."
      ],
      "discriminator": [
        203,
        58,
        244,
        110,
        102,
        104,
        250,
        125
      ],
      "accounts": [
        {
          "name": "admin",
          "signer": true
        },
        {
          "name": "network",
          "writable": true,
          "pda": {
            "seeds": [
              {
                "kind": "const",
                "value": [
                  110,
                  101,
                  116,
                  119,
                  111,
                  114,
                  107
                ]
              }
            ]
          }
        }
      ],
      "args": [
        {
          "name": "newOracle",
          "type": "pubkey"
        }
      ]
    },
    {
      "name": "submitEpochRewards",
      "docs": [
        "Oracle: commit the Merkle root of cumulative rewards for `epoch`. Epochs are strictly",
        "consecutive from 0, only after they ended, and the newly emitted amount",
        "(cumulative_total − previous cumulative_total) may not exceed the halving schedule."
      ],
      "discriminator": [
        237,
        44,
        142,
        120,
        141,
        11,
        87,
        77
      ],
      "accounts": [
        {
          "name": "oracle",
          "writable": true,
          "signer": true
        },
        {
          "name": "network",
          "writable": true,
          "pda": {
            "seeds": [
              {
                "kind": "const",
                "value": [
                  110,
                  101,
                  116,
                  119,
                  111,
                  114,
                  107
                ]
              }
            ]
          }
        },
        {
          "name": "epochRewards",
          "writable": true,
          "pda": {
            "seeds": [
              {
                "kind": "const",
                "value": [
                  101,
                  112,
                  111,
                  99,
                  104
                ]
              },
              {
                "kind": "arg",
                "path": "epoch"
              }
            ]
          }
        },
        {
          "name": "systemProgram",
          "address": "11111111111111111111111111111111"
        }
      ],
      "args": [
        {
          "name": "epoch",
          "type": "u64"
        },
        {
          "name": "root",
          "type": {
            "array": [
              "u8",
              32
            ]
          }
        },
        {
          "name": "cumulativeTotal",
          "type": "u64"
        }
      ]
    },
    {
      "name": "transferHotspot",
      "docs": [
        "Owner: hand the hotspot (and its future claims) to a new owner."
      ],
      "discriminator": [
        138,
        35,
        113,
        91,
        47,
        42,
        104,
        81
      ],
      "accounts": [
        {
          "name": "owner",
          "signer": true
        },
        {
          "name": "hotspot",
          "writable": true,
          "pda": {
            "seeds": [
              {
                "kind": "const",
                "value": [
                  104,
                  111,
                  116,
                  115,
                  112,
                  111,
                  116
                ]
              },
              {
                "kind": "account",
                "path": "hotspot.hotspot_key",
                "account": "hotspot"
              }
            ]
          }
        }
      ],
      "args": [
        {
          "name": "newOwner",
          "type": "pubkey"
        }
      ]
    },
    {
      "name": "updateFees",
      "docs": [
        "Admin: change the onboarding and location fees."
      ],
      "discriminator": [
        225,
        27,
        13,
        6,
        69,
        84,
        172,
        191
      ],
      "accounts": [
        {
          "name": "admin",
          "signer": true
        },
        {
          "name": "network",
          "writable": true,
          "pda": {
            "seeds": [
              {
                "kind": "const",
                "value": [
                  110,
                  101,
                  116,
                  119,
                  111,
                  114,
                  107
                ]
              }
            ]
          }
        }
      ],
      "args": [
        {
          "name": "onboardingFeeLamports",
          "type": "u64"
        },
        {
          "name": "locationFeeLamports",
          "type": "u64"
        }
      ]
    },
    {
      "name": "withdrawTreasury",
      "docs": [
        "Admin: move collected fees out of the treasury (it stays rent exempt)."
      ],
      "discriminator": [
        40,
        63,
        122,
        158,
        144,
        216,
        83,
        96
      ],
      "accounts": [
        {
          "name": "admin",
          "signer": true
        },
        {
          "name": "network",
          "pda": {
            "seeds": [
              {
                "kind": "const",
                "value": [
                  110,
                  101,
                  116,
                  119,
                  111,
                  114,
                  107
                ]
              }
            ]
          }
        },
        {
          "name": "treasury",
          "writable": true,
          "pda": {
            "seeds": [
              {
                "kind": "const",
                "value": [
                  116,
                  114,
                  101,
                  97,
                  115,
                  117,
                  114,
                  121
                ]
              }
            ]
          }
        },
        {
          "name": "to",
          "writable": true
        }
      ],
      "args": [
        {
          "name": "amount",
          "type": "u64"
        }
      ]
    }
  ],
  "accounts": [
    {
      "name": "epochRewards",
      "discriminator": [
        227,
        115,
        228,
        203,
        43,
        151,
        208,
        253
      ]
    },
    {
      "name": "hotspot",
      "discriminator": [
        127,
        196,
        5,
        68,
        132,
        17,
        192,
        225
      ]
    },
    {
      "name": "maker",
      "discriminator": [
        31,
        255,
        232,
        61,
        38,
        28,
        189,
        147
      ]
    },
    {
      "name": "networkConfig",
      "discriminator": [
        94,
        196,
        151,
        231,
        223,
        121,
        86,
        163
      ]
    },
    {
      "name": "treasury",
      "discriminator": [
        238,
        239,
        123,
        238,
        89,
        1,
        168,
        253
      ]
    }
  ],
  "events": [
    {
      "discriminator": [
        129,
        249,
        226,
        227,
        199,
        82,
        110,
        243
      ],
      "name": "adminProposed"
    },
    {
      "discriminator": [
        21,
        142,
        227,
        252,
        22,
        194,
        172,
        220
      ],
      "name": "adminRotated"
    },
    {
      "discriminator": [
        18,
        8,
        242,
        102,
        66,
        110,
        52,
        175
      ],
      "name": "epochRewardsSubmitted"
    },
    {
      "discriminator": [
        65,
        34,
        234,
        59,
        248,
        242,
        101,
        118
      ],
      "name": "feesUpdated"
    },
    {
      "discriminator": [
        180,
        88,
        180,
        162,
        31,
        99,
        30,
        234
      ],
      "name": "hotspotOnboarded"
    },
    {
      "discriminator": [
        199,
        104,
        11,
        17,
        233,
        86,
        217,
        199
      ],
      "name": "hotspotTransferred"
    },
    {
      "discriminator": [
        20,
        69,
        82,
        122,
        144,
        219,
        20,
        221
      ],
      "name": "locationAsserted"
    },
    {
      "discriminator": [
        26,
        168,
        124,
        191,
        239,
        51,
        126,
        239
      ],
      "name": "makerApproved"
    },
    {
      "discriminator": [
        228,
        138,
        10,
        66,
        176,
        210,
        233,
        168
      ],
      "name": "makerRevoked"
    },
    {
      "discriminator": [
        248,
        98,
        167,
        253,
        2,
        186,
        222,
        90
      ],
      "name": "networkInitialized"
    },
    {
      "discriminator": [
        208,
        19,
        24,
        66,
        143,
        200,
        103,
        193
      ],
      "name": "oracleRotated"
    },
    {
      "discriminator": [
        75,
        98,
        88,
        18,
        219,
        112,
        88,
        121
      ],
      "name": "rewardsClaimed"
    },
    {
      "discriminator": [
        143,
        181,
        157,
        169,
        87,
        155,
        170,
        46
      ],
      "name": "treasuryWithdrawn"
    }
  ],
  "errors": [
    {
      "code": 6000,
      "name": "unauthorized",
      "msg": "Signer is not the network admin"
    },
    {
      "code": 6001,
      "name": "wrongOracle",
      "msg": "Signer is not the network oracle"
    },
    {
      "code": 6002,
      "name": "notHotspotOwner",
      "msg": "Signer is not the hotspot owner"
    },
    {
      "code": 6003,
      "name": "wrongMaker",
      "msg": "Maker signer does not match the approved maker"
    },
    {
      "code": 6004,
      "name": "invalidEpochLength",
      "msg": "Epoch length must be positive"
    },
    {
      "code": 6005,
      "name": "invalidHalvingInterval",
      "msg": "Halving interval must be positive"
    },
    {
      "code": 6006,
      "name": "mathOverflow",
      "msg": "Arithmetic overflow"
    },
    {
      "code": 6007,
      "name": "missingPossessionProof",
      "msg": "The possession proof must be an Ed25519 instruction right before onboard_hotspot"
    },
    {
      "code": 6008,
      "name": "invalidPossessionProof",
      "msg": "The Ed25519 instruction does not attest the expected key and message"
    },
    {
      "code": 6009,
      "name": "invalidLocation",
      "msg": "Location is not a valid H3 resolution-12 cell"
    },
    {
      "code": 6010,
      "name": "invalidGain",
      "msg": "Antenna gain out of range"
    },
    {
      "code": 6011,
      "name": "invalidElevation",
      "msg": "Elevation out of range"
    },
    {
      "code": 6012,
      "name": "epochOutOfOrder",
      "msg": "Epochs must be submitted in order, each once"
    },
    {
      "code": 6013,
      "name": "epochNotEnded",
      "msg": "The epoch has not ended yet"
    },
    {
      "code": 6014,
      "name": "cumulativeDecreased",
      "msg": "Cumulative total may not decrease"
    },
    {
      "code": 6015,
      "name": "emissionExceeded",
      "msg": "Epoch amount exceeds the emission schedule"
    },
    {
      "code": 6016,
      "name": "invalidMerkleProof",
      "msg": "Merkle proof does not match the epoch root"
    },
    {
      "code": 6017,
      "name": "proofTooLong",
      "msg": "Merkle proof is too long"
    },
    {
      "code": 6018,
      "name": "nothingToClaim",
      "msg": "Nothing to claim: rewards already claimed up to this amount"
    },
    {
      "code": 6019,
      "name": "claimExceedsEmitted",
      "msg": "Claims would exceed the emitted total"
    },
    {
      "code": 6020,
      "name": "treasuryInsufficient",
      "msg": "Treasury would fall below rent exemption"
    },
    {
      "code": 6021,
      "name": "sameOwner",
      "msg": "New owner must differ from the current owner"
    },
    {
      "code": 6022,
      "name": "wrongMint",
      "msg": "Not the network's reward mint"
    },
    {
      "code": 6023,
      "name": "notUpgradeAuthority",
      "msg": "Only the program's upgrade authority may initialise the network"
    },
    {
      "code": 6024,
      "name": "notPendingAdmin",
      "msg": "Signer is not the proposed admin"
    },
    {
      "code": 6025,
      "name": "staleEpochRoot",
      "msg": "Claims must prove against the latest epoch root; this one has been superseded"
    },
    {
      "code": 6026,
      "name": "feeAboveMaximum",
      "msg": "The onboarding fee exceeds the maximum the owner accepted"
    },
    {
      "code": 6027,
      "name": "invalidRegion",
      "msg": "Region code is not one of the LoRaWAN regions the network knows"
    }
  ],
  "types": [
    {
      "docs": [
        "`proposed` is None when the admin withdrew a pending proposal."
      ],
      "name": "adminProposed",
      "type": {
        "fields": [
          {
            "name": "admin",
            "type": "pubkey"
          },
          {
            "name": "proposed",
            "type": {
              "option": "pubkey"
            }
          }
        ],
        "kind": "struct"
      }
    },
    {
      "name": "adminRotated",
      "type": {
        "fields": [
          {
            "name": "from",
            "type": "pubkey"
          },
          {
            "name": "to",
            "type": "pubkey"
          }
        ],
        "kind": "struct"
      }
    },
    {
      "name": "epochRewards",
      "docs": [
        "One epoch's rewards commitment, PDA [\"epoch\", u64_le(epoch)]."
      ],
      "type": {
        "kind": "struct",
        "fields": [
          {
            "name": "epoch",
            "type": "u64"
          },
          {
            "name": "root",
            "docs": [
              "Merkle root over (hotspot_key, cumulative amount) leaves."
            ],
            "type": {
              "array": [
                "u8",
                32
              ]
            }
          },
          {
            "name": "cumulativeTotal",
            "docs": [
              "Sum of all cumulative amounts in the tree (cumulative emission up to this epoch)."
            ],
            "type": "u64"
          },
          {
            "name": "epochAmount",
            "docs": [
              "Amount newly emitted by this epoch (cumulative_total − previous cumulative_total)."
            ],
            "type": "u64"
          },
          {
            "name": "submittedAt",
            "type": "i64"
          },
          {
            "name": "bump",
            "type": "u8"
          }
        ]
      }
    },
    {
      "name": "epochRewardsSubmitted",
      "type": {
        "fields": [
          {
            "name": "epoch",
            "type": "u64"
          },
          {
            "name": "root",
            "type": {
              "array": [
                "u8",
                32
              ]
            }
          },
          {
            "name": "cumulativeTotal",
            "type": "u64"
          },
          {
            "name": "epochAmount",
            "type": "u64"
          }
        ],
        "kind": "struct"
      }
    },
    {
      "name": "feesUpdated",
      "type": {
        "fields": [
          {
            "name": "onboardingFeeLamports",
            "type": "u64"
          },
          {
            "name": "locationFeeLamports",
            "type": "u64"
          }
        ],
        "kind": "struct"
      }
    },
    {
      "name": "hotspot",
      "docs": [
        "A hotspot, PDA [\"hotspot\", hotspot_key].",
        "Layout after the 8-byte discriminator: hotspot_key @8, owner @40, maker @72."
      ],
      "type": {
        "kind": "struct",
        "fields": [
          {
            "name": "hotspotKey",
            "type": "pubkey"
          },
          {
            "name": "owner",
            "type": "pubkey"
          },
          {
            "name": "maker",
            "docs": [
              "Authority key of the maker that onboarded it."
            ],
            "type": "pubkey"
          },
          {
            "name": "onboardedAt",
            "type": "i64"
          },
          {
            "name": "updatedAt",
            "type": "i64"
          },
          {
            "name": "location",
            "docs": [
              "H3 resolution-12 cell, 0 until the first assertion."
            ],
            "type": "u64"
          },
          {
            "name": "gainDbiX10",
            "type": "u16"
          },
          {
            "name": "elevationM",
            "type": "i32"
          },
          {
            "name": "region",
            "docs": [
              "LoRaWAN region code: the index in packages/protocol/src/regions.ts REGIONS (logic::REGION_COUNT",
              "of them), set at onboarding and by every location assertion."
            ],
            "type": "u8"
          },
          {
            "name": "locationAsserts",
            "type": "u32"
          },
          {
            "name": "locationAssertedAt",
            "type": "i64"
          },
          {
            "name": "claimed",
            "docs": [
              "Cumulative reward amount already minted for this hotspot."
            ],
            "type": "u64"
          },
          {
            "name": "bump",
            "type": "u8"
          }
        ]
      }
    },
    {
      "name": "hotspotOnboarded",
      "type": {
        "fields": [
          {
            "name": "hotspotKey",
            "type": "pubkey"
          },
          {
            "name": "owner",
            "type": "pubkey"
          },
          {
            "name": "maker",
            "type": "pubkey"
          },
          {
            "name": "region",
            "type": "u8"
          },
          {
            "name": "feeLamports",
            "type": "u64"
          },
          {
            "name": "timestamp",
            "type": "i64"
          }
        ],
        "kind": "struct"
      }
    },
    {
      "name": "hotspotTransferred",
      "type": {
        "fields": [
          {
            "name": "hotspotKey",
            "type": "pubkey"
          },
          {
            "name": "from",
            "type": "pubkey"
          },
          {
            "name": "to",
            "type": "pubkey"
          }
        ],
        "kind": "struct"
      }
    },
    {
      "name": "initializeNetworkArgs",
      "type": {
        "kind": "struct",
        "fields": [
          {
            "name": "oracle",
            "type": "pubkey"
          },
          {
            "name": "epochLengthSecs",
            "type": "i64"
          },
          {
            "name": "initialEpochEmission",
            "type": "u64"
          },
          {
            "name": "halvingIntervalEpochs",
            "type": "u64"
          },
          {
            "name": "onboardingFeeLamports",
            "type": "u64"
          },
          {
            "name": "locationFeeLamports",
            "type": "u64"
          }
        ]
      }
    },
    {
      "name": "locationAsserted",
      "type": {
        "fields": [
          {
            "name": "hotspotKey",
            "type": "pubkey"
          },
          {
            "name": "owner",
            "type": "pubkey"
          },
          {
            "name": "location",
            "type": "u64"
          },
          {
            "name": "gainDbiX10",
            "type": "u16"
          },
          {
            "name": "elevationM",
            "type": "i32"
          },
          {
            "name": "region",
            "type": "u8"
          },
          {
            "name": "locationAsserts",
            "type": "u32"
          },
          {
            "name": "feeLamports",
            "type": "u64"
          },
          {
            "name": "timestamp",
            "type": "i64"
          }
        ],
        "kind": "struct"
      }
    },
    {
      "name": "maker",
      "docs": [
        "An approved maker, PDA [\"maker\", authority]. Closed by revoke_maker."
      ],
      "type": {
        "kind": "struct",
        "fields": [
          {
            "name": "authority",
            "docs": [
              "Key that co-signs every onboarding of this maker's hotspots."
            ],
            "type": "pubkey"
          },
          {
            "name": "approvedAt",
            "type": "i64"
          },
          {
            "name": "hotspotsOnboarded",
            "type": "u64"
          },
          {
            "name": "bump",
            "type": "u8"
          }
        ]
      }
    },
    {
      "name": "makerApproved",
      "type": {
        "fields": [
          {
            "name": "authority",
            "type": "pubkey"
          }
        ],
        "kind": "struct"
      }
    },
    {
      "name": "makerRevoked",
      "type": {
        "fields": [
          {
            "name": "authority",
            "type": "pubkey"
          }
        ],
        "kind": "struct"
      }
    },
    {
      "name": "networkConfig",
      "docs": [
        "Global configuration, PDA [\"network\"]. It is also the reward mint's mint authority."
      ],
      "type": {
        "kind": "struct",
        "fields": [
          {
            "name": "admin",
            "type": "pubkey"
          },
          {
            "name": "oracle",
            "type": "pubkey"
          },
          {
            "name": "rewardMint",
            "type": "pubkey"
          },
          {
            "name": "genesisTs",
            "docs": [
              "Initialisation time aligned down to a multiple of the epoch length; chain epoch `n`",
              "covers [genesis + n·len, genesis + (n+1)·len)."
            ],
            "type": "i64"
          },
          {
            "name": "genesisEpoch",
            "docs": [
              "genesis_ts / epoch_length: chain epoch `n` is wall-clock epoch `genesis_epoch + n`."
            ],
            "type": "u64"
          },
          {
            "name": "epochLengthSecs",
            "type": "i64"
          },
          {
            "name": "initialEpochEmission",
            "docs": [
              "Emission of epoch 0, in reward base units."
            ],
            "type": "u64"
          },
          {
            "name": "halvingIntervalEpochs",
            "docs": [
              "The emission halves every this many epochs."
            ],
            "type": "u64"
          },
          {
            "name": "onboardingFeeLamports",
            "type": "u64"
          },
          {
            "name": "locationFeeLamports",
            "type": "u64"
          },
          {
            "name": "nextEpoch",
            "docs": [
              "Index of the next epoch the oracle may submit."
            ],
            "type": "u64"
          },
          {
            "name": "totalEmitted",
            "docs": [
              "Cumulative rewards committed by submitted epochs (never above the schedule)."
            ],
            "type": "u64"
          },
          {
            "name": "totalClaimed",
            "docs": [
              "Rewards minted to owners so far (never above `total_emitted`)."
            ],
            "type": "u64"
          },
          {
            "name": "hotspotCount",
            "type": "u64"
          },
          {
            "name": "makerCount",
            "type": "u64"
          },
          {
            "name": "bump",
            "type": "u8"
          },
          {
            "name": "rewardMintBump",
            "type": "u8"
          },
          {
            "name": "treasuryBump",
            "type": "u8"
          },
          {
            "name": "pendingAdmin",
            "docs": [
              "Key proposed by the admin with `propose_admin`; it becomes the admin when it signs",
              "`accept_admin`. None when no rotation is pending."
            ],
            "type": {
              "option": "pubkey"
            }
          }
        ]
      }
    },
    {
      "name": "networkInitialized",
      "type": {
        "fields": [
          {
            "name": "admin",
            "type": "pubkey"
          },
          {
            "name": "oracle",
            "type": "pubkey"
          },
          {
            "name": "rewardMint",
            "type": "pubkey"
          },
          {
            "name": "genesisTs",
            "type": "i64"
          },
          {
            "name": "genesisEpoch",
            "type": "u64"
          },
          {
            "name": "epochLengthSecs",
            "type": "i64"
          },
          {
            "name": "initialEpochEmission",
            "type": "u64"
          },
          {
            "name": "halvingIntervalEpochs",
            "type": "u64"
          }
        ],
        "kind": "struct"
      }
    },
    {
      "name": "oracleRotated",
      "type": {
        "fields": [
          {
            "name": "from",
            "type": "pubkey"
          },
          {
            "name": "to",
            "type": "pubkey"
          }
        ],
        "kind": "struct"
      }
    },
    {
      "name": "rewardsClaimed",
      "type": {
        "fields": [
          {
            "name": "hotspotKey",
            "type": "pubkey"
          },
          {
            "name": "owner",
            "type": "pubkey"
          },
          {
            "name": "epoch",
            "type": "u64"
          },
          {
            "name": "amount",
            "type": "u64"
          },
          {
            "name": "cumulativeClaimed",
            "type": "u64"
          }
        ],
        "kind": "struct"
      }
    },
    {
      "name": "treasury",
      "docs": [
        "Program-owned lamport vault for fees, PDA [\"treasury\"]."
      ],
      "type": {
        "kind": "struct",
        "fields": [
          {
            "name": "bump",
            "type": "u8"
          }
        ]
      }
    },
    {
      "name": "treasuryWithdrawn",
      "type": {
        "fields": [
          {
            "name": "to",
            "type": "pubkey"
          },
          {
            "name": "amount",
            "type": "u64"
          }
        ],
        "kind": "struct"
      }
    }
  ]
};
