-- =============================================================================
-- Finesse-Nest: the 12 queries of ../shared/fixtures/finesse-legacy/workload.sql,
-- rewritten for the improved schema (schema.yaml at head). Same ids, same
-- answers (bench/workload.py asserts it); where the legacy text still reads the
-- improved schema right, it is kept as it was and the indexes do the work.
-- Each statement is preceded by a "-- name:" line and ends with ";".
-- =============================================================================

-- name: shop_products_by_category_newest
-- unchanged: the partial index (category_id, created_at DESC) of active products serves it without a sort
SELECT p.id, p.product_name, p.slug, p.product_image, p.selling_price, p.discount,
       p.is_new, p.is_featured, b.name AS brand_name, c.cat_name
FROM products p
LEFT JOIN brands b     ON b.id = p.brand_id
LEFT JOIN categories c ON c.id = p.category_id
WHERE p.is_available = true
  AND p.is_archived = false
  AND p.category_id = '87a448eb-2a28-4f3a-87e6-8275ca84fa2e'
ORDER BY p.created_at DESC
LIMIT 12 OFFSET 0;

-- name: shop_products_by_brand_price_low
-- the price compared as it is stored (numeric(10,2) cast to numeric is the same number), so that the
-- index (brand_id, selling_price) gives the range in order
SELECT p.id, p.product_name, p.slug, p.product_image, p.selling_price, p.discount
FROM products p
WHERE p.is_available = true
  AND p.is_archived = false
  AND p.brand_id = '5fd02f36-6dbc-40c5-849f-eb45104413ea'
  AND p.selling_price >= 500
  AND p.selling_price <= 5000
ORDER BY p.selling_price ASC
LIMIT 12 OFFSET 0;

-- name: shop_products_count_by_group
-- unchanged: counted from the index (group_id, is_available, is_archived) alone
SELECT count(*) AS total
FROM products p
WHERE p.is_available = true
  AND p.is_archived = false
  AND p.group_id = 'fe946098-048b-4255-8861-72f7d96a481b';

-- name: product_search_by_name
-- search_name is lower(product_name), kept by the database (revision 0008): not lowered per row per search
SELECT p.id, p.product_name, p.selling_price, p.discount, p.product_image
FROM products p
WHERE p.is_available = true
  AND p.is_archived = false
  AND p.search_name LIKE LOWER('%earbuds%')
LIMIT 20 OFFSET 0;

-- name: related_products_same_category
-- unchanged
SELECT p.id, p.product_name, p.selling_price, p.discount, p.product_image
FROM products p
WHERE p.category_id = (SELECT category_id FROM products
                       WHERE id = 'ce78bb16-89cf-47dd-89e6-1de1c8ae2a0f')
  AND p.is_available = true
  AND p.is_archived = false
  AND p.id <> 'ce78bb16-89cf-47dd-89e6-1de1c8ae2a0f'
LIMIT 8;

-- name: product_available_variants_with_stock
-- stock comes from the ledger (current_stock): the variant's total is what variants.stock showed, the
-- main branch's what its purchases and sellings said, the variation from the variant's attributes
SELECT v.id, v.model, variant_variation_json(v.id) AS variation, v.selling_price, v.discount,
       (SELECT sum(s.quantity) FROM current_stock s WHERE s.variant_id = v.id)::integer AS stock,
       coalesce((SELECT sum(s.quantity) FROM current_stock s JOIN stores st ON st.id = s.store_id
                 WHERE s.variant_id = v.id AND st.main_branch = true), 0)::bigint AS main_branch_stock
FROM variants v
WHERE v.product_id = 'ce78bb16-89cf-47dd-89e6-1de1c8ae2a0f'
  AND v.is_available = true
  AND v.is_archived = false
ORDER BY v.created_at;

-- name: variant_stock_per_store
-- current stock of one variant in every store, from the ledger
SELECT s.id AS store_id, s.name, s.main_branch, coalesce(c.quantity, 0) AS current_stock
FROM stores s
LEFT JOIN current_stock c ON c.store_id = s.id AND c.variant_id = '6a7e2a99-4291-4f1e-807d-bfb081204124'
WHERE s.is_active = true
ORDER BY s.main_branch DESC, s.name;

-- name: user_orders_by_status_newest_first
-- unchanged: the index (user_id, status, created_at) returns them in order
SELECT o.id, o.order_no, o.status, o.payment_status, o.payment_method,
       o.grand_total, o.created_at
FROM orders o
WHERE o.user_id = '87ac0acd-f738-41eb-829f-1dc8291b666a'
  AND o.status = 'Delivered'
ORDER BY o.created_at DESC
LIMIT 10 OFFSET 0;

-- name: user_recent_order_lines
-- order_details.variant_id (the legacy product_id); the product's name through the variant's product
SELECT o.order_no, o.created_at, d.quantity, d.unit_price, d.total_price,
       p.product_name, variant_variation_json(v.id) AS variation, p.product_image
FROM (SELECT id, order_no, created_at
      FROM orders
      WHERE user_id = '87ac0acd-f738-41eb-829f-1dc8291b666a'
      ORDER BY created_at DESC
      LIMIT 10) o
JOIN order_details d ON d.order_id = o.id
LEFT JOIN variants v ON v.id = d.variant_id
LEFT JOIN products p ON p.id = v.product_id
ORDER BY o.created_at DESC, d.id;

-- name: user_wishlist_newest_first
-- unchanged: the index (user_id, created_at)
SELECT w.id AS wishlist_id, w.created_at, p.id AS product_id, p.product_name,
       p.selling_price, p.discount, p.product_image, b.name AS brand_name, c.cat_name
FROM wishlists w
JOIN products p        ON p.id = w.product_id
LEFT JOIN brands b     ON b.id = p.brand_id
LEFT JOIN categories c ON c.id = p.category_id
WHERE w.user_id = '7fcce0ea-c072-4e9e-8151-89c2b2d77c14'
ORDER BY w.created_at DESC
LIMIT 10 OFFSET 0;

-- name: user_unseen_notification_count
-- unchanged: counted from the index (user_id, seen) alone
SELECT count(n.id) AS noti_count
FROM notifications n
WHERE n.user_id = '87ac0acd-f738-41eb-829f-1dc8291b666a'
  AND n.seen = false;

-- name: customer_balance_by_user
-- unchanged: customers(user_id), bonuses(customer_id) and orders(user_id, created_at) are indexed now
SELECT c.id AS customer_id, c.customer_name,
       (SELECT coalesce(sum(b.amount), 0) FROM bonuses b
         WHERE b.customer_id = c.id) AS bonus_balance,
       (SELECT coalesce(sum(o.grand_total), 0) FROM orders o
         WHERE o.user_id = c.user_id) AS total_order_amount,
       (SELECT coalesce(sum(o.grand_total), 0) FROM orders o
         WHERE o.user_id = c.user_id AND o.payment_status = 'Paid') AS total_paid_amount
FROM customers c
WHERE c.user_id = '87ac0acd-f738-41eb-829f-1dc8291b666a'
LIMIT 1;
