/* Pinned vectors: generated once by the encoder and committed, so any
 * change to the block, tree or URI formats fails the tests. Regenerate
 * only with a format version bump. */
#define PIN_EMPTY "CHK@rIFazHawW9nIaLLbMpLv9_wREBxwtBDqzgEOM1dI4-Y,SUcWhrcM3Jqw7ev2LXuAi2i6hw2WthbgZm-FkduXQ48,AQE"
#define PIN_WISP "CHK@p17XC3WKphX5H8CQ1PUQZGNdnM344DBTjvmJS32WVfM,TqVinvQLkvSbzss8vdQZvGKD1E_6uHcFFFq8CZg1AnY,AQE"
#define PIN_FOX "CHK@jF0udcxdUT0yaE0O2i6B8l89gp_Vna0ApAYsKhaqbhY,DalMrcitjZMc0_joCCXSxU7aMCmoMUAnIULh056J7GU,AQE"
/* tree_enc of "hello\n" as text/plain (inline in the root). */
#define PIN_DOC_HELLO "CHK@w_xd28mlVmKV_cc_shtVO-ohhb8ofUI0KuFwT6jLRLE,sCpcx6w2DCp7XIqHOYVSjBs5_3GIH5TSE6uVdoRFqq8"
/* tree_enc of 100000 bytes b[i] = i * 7 (four data blocks and the root). */
#define PIN_DOC_100K "CHK@vwFZPDmmb7QMF4OS0THpQQr53Wlx4MfTKN_pzYGsj5U,SFyifBMAK7Ac37Ci2xAFj4RVwGEW11zptUSw3oTM36Y"
